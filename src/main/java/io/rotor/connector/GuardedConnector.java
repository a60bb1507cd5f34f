package io.rotor.connector;

import io.rotor.domain.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps every connector: an exception escaping a connector becomes a result the protocol understands —
 * UNREACHABLE for a login, UNKNOWN for a change (it may have been applied) — and every detail is scrubbed of
 * the secrets of the request before it goes anywhere.
 */
final class GuardedConnector implements TargetConnector {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedConnector.class);

    private final TargetConnector delegate;

    GuardedConnector(TargetConnector delegate) {
        this.delegate = delegate;
    }

    @Override
    public String type() {
        return delegate.type();
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        Secret[] secrets = {request.login().secret(), request.admin() == null ? null : request.admin().secret()};
        try {
            VerifyResult result = delegate.verify(request);
            return new VerifyResult(result.outcome(), Redactor.redact(result.detail(), secrets));
        } catch (RuntimeException e) {
            String detail = Redactor.redact(describe(e), secrets);
            LOG.warn("target {}: login check failed unexpectedly: {}", request.target().id(), detail);
            return VerifyResult.unreachable(detail);
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        Secret[] secrets = secretsOf(request.current(), request.newSecret(), request.admin(), request.elevation());
        try {
            ChangeResult result = delegate.change(request);
            return new ChangeResult(result.outcome(), Redactor.redact(result.detail(), secrets), result.loginRefused());
        } catch (RuntimeException e) {
            String detail = Redactor.redact(describe(e), secrets);
            LOG.warn("target {}: change failed unexpectedly, outcome unknown: {}", request.target().id(), detail);
            return ChangeResult.unknown("outcome unknown: " + detail);
        }
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        Secret[] secrets = secretsOf(null, request.newSecret(), request.admin(), request.elevation());
        try {
            ChangeResult result = delegate.reconcile(request);
            return new ChangeResult(result.outcome(), Redactor.redact(result.detail(), secrets), result.loginRefused());
        } catch (RuntimeException e) {
            String detail = Redactor.redact(describe(e), secrets);
            LOG.warn("target {}: reconcile failed unexpectedly, outcome unknown: {}", request.target().id(), detail);
            return ChangeResult.unknown("outcome unknown: " + detail);
        }
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        return delegate.discover(request);
    }

    @Override
    public io.rotor.domain.PasswordPolicy defaultPolicy() {
        return delegate.defaultPolicy();
    }

    @Override
    public VerificationKind verificationKind(io.rotor.domain.CredentialType type) {
        return delegate.verificationKind(type);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static Secret[] secretsOf(Secret current, Secret next, Login admin, Elevation elevation) {
        Login login = elevation.loginAccount();
        return new Secret[]{current, next, admin == null ? null : admin.secret(),
                login == null ? null : login.secret(), elevation.enableSecret()};
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
