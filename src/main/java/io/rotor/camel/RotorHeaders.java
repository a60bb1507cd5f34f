package io.rotor.camel;

import org.apache.camel.spi.Metadata;

/** The headers a {@code rotor:} endpoint reads and writes. None ever holds a secret. */
public final class RotorHeaders {
    private RotorHeaders() {
    }

    @Metadata(description = "In: the account id when the endpoint names none (rotate, verify, reconcile, checkin, checkout)",
            javaType = "String")
    public static final String ACCOUNT_ID = "accountId";
    @Metadata(description = "Out: the operation's outcome (SUCCEEDED, FAILED, ...) or, for workflow, the job's status",
            javaType = "String")
    public static final String OUTCOME = "RotorOutcome";
    @Metadata(description = "Out (workflow): the queued job's id", javaType = "String")
    public static final String JOB_ID = "RotorJobId";
    @Metadata(description = "Out (checkout): the version of the credential checked out", javaType = "long")
    public static final String CREDENTIAL_VERSION = "RotorCredentialVersion";
}
