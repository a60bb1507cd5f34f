package io.rotor.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@code JobStore.create} needs to queue a job.
 *
 * @param workflow        the workflow's route id, e.g. {@code mass-password-reset}
 * @param parameters      the request's parameters (target ids, batch size, attributes...). Never a credential:
 *                        {@code JobStore.create} refuses keys that name one (password, secret, token...)
 * @param dryRun          plan only, touch no target
 * @param reportRequested write a SQLite report when the job ends ({@code --report})
 * @param createdBy       the authenticated user who asked
 */
public record NewJob(String workflow, Map<String, ?> parameters, boolean dryRun, boolean reportRequested, String createdBy) {
    public NewJob {
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(createdBy, "createdBy");
        if (workflow.isBlank() || workflow.length() > 64) {
            throw new IllegalArgumentException("workflow must be 1 to 64 characters");
        }
        parameters = parameters == null ? Map.of() : new LinkedHashMap<>(parameters);
    }
}
