package io.rotor.domain;

import java.time.Instant;

/**
 * One step of a job (the seed's numbered steps: "generate passwords", "update backing accounts"...), with the
 * counters of the results recorded under its name.
 */
public record JobStep(String jobId, int stepNo, String name, JobStatus status, Instant startedAt, Instant finishedAt,
                      long done, long succeeded, long failed, String reason) {
}
