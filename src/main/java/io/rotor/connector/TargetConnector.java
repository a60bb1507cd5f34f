package io.rotor.connector;

/**
 * What Rotor needs from one kind of target. One instance serves one target and may keep pooled
 * connections until {@link #close()}. Implementations never put a secret into an exception message,
 * a log line or an endpoint URI; they report what happened through the result records.
 */
public interface TargetConnector extends AutoCloseable {

    /** The target type this connector speaks, e.g. {@code postgresql}. */
    String type();

    /** A fresh login (never a pooled connection) with the given credential. */
    VerifyResult verify(VerifyRequest request);

    /** Changes the account's credential: through the admin login when one is given, else with CURRENT. */
    ChangeResult change(ChangeRequest request);

    /** Sets a credential Rotor does not know the old value of, through the admin login. */
    ChangeResult reconcile(ReconcileRequest request);

    /** Lists the accounts that exist on the target. */
    DiscoverResult discover(DiscoverRequest request);

    /**
     * The password policy for accounts that name none: the built-in default, unless the target cannot take every
     * character of it (a network device's CLI treats {@code ?} as its help key).
     */
    default io.rotor.domain.PasswordPolicy defaultPolicy() {
        return io.rotor.domain.PasswordPolicy.defaults();
    }

    /** What {@link #verify} proves for credentials of {@code type}: a real login unless the connector says otherwise. */
    default VerificationKind verificationKind(io.rotor.domain.CredentialType type) {
        return VerificationKind.LOGIN;
    }

    @Override
    void close();
}
