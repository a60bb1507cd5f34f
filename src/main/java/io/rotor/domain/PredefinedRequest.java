package io.rotor.domain;

import java.time.Instant;

/**
 * A pre-defined request (PDR): a bulk workflow's parameters saved under a name by an admin, so that an operator runs
 * it with a click, dry run first. {@code parametersJson} is the workflow request's JSON object, without
 * {@code dryRun} (each run decides that); it never holds a secret.
 */
public record PredefinedRequest(String name, String workflow, String description, String parametersJson,
                                String createdBy, Instant createdAt, String modifiedBy, Instant modifiedAt) {
}
