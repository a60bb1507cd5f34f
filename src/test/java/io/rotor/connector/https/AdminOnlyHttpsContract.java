package io.rotor.connector.https;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorContract;
import io.rotor.connector.FaultProxy;
import io.rotor.connector.TargetConnector;
import io.rotor.domain.Target;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connector contract for cloud targets reached over HTTPS whose API lets only an admin (a connected app, a
 * user-admin) set a user's password, run against a {@link SpecHttpsServer}.
 *
 * <p>Two adaptations, each stated: self-rotation is refused by these connectors without sending anything (the
 * vendors' documented endpoints offer no self-change with a password), so the contract's self-change case is
 * skipped and the hang-after-change case goes through the admin instead of CURRENT; and because the fault proxy
 * sees only TLS ciphertext, "the candidate never reached the wire" also asks the test server, which sees the
 * decrypted requests.
 */
public abstract class AdminOnlyHttpsContract extends ConnectorContract {
    /** The test server behind the connector. */
    protected abstract SpecHttpsServer server();

    @Override
    protected String host() {
        return "127.0.0.1";
    }

    @Override
    protected int port() {
        return server().port();
    }

    @Override
    protected Wire wire(FaultProxy.Mode mode, String username) throws Exception {
        Wire proxied = super.wire(mode, username);
        return new Wire() {
            @Override
            public Target target() {
                return proxied.target();
            }

            @Override
            public boolean sent(String value) {
                return proxied.sent(value) || server().received(value);
            }

            @Override
            public boolean faultHit() {
                return proxied.faultHit();
            }

            @Override
            public void close() {
                proxied.close();
            }
        };
    }

    @Test
    @Override
    public void selfChangeLeavesOnlyTheNewSecret() {
        Assumptions.abort("the vendor's documented API sets a user's password only through an admin; the connector refuses"
                + " self-rotation without sending anything (shown by selfRotationIsRefusedAndSendsNothing)");
    }

    @Test
    public void selfRotationIsRefusedAndSendsNothing() throws Exception {
        String old = candidate();
        String user = newAccount("x", old);
        String next = candidate();
        ChangeResult r = connector.change(new ChangeRequest(target(host(), port()), user, s(old), s(next), null));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.loginRefused()).isFalse();
        assertThat(server().received(next)).as("the candidate never reached the server").isFalse();
        assertThat(logsIn(user, old)).isTrue();
    }

    @Test
    public void noSecretTravelsInAUriOrAHeader() throws Exception {
        String old = candidate();
        String user = newAccount("q", old);
        String next = candidate();
        ChangeResult r = connector.change(new ChangeRequest(target(host(), port()), user, null, s(next), admin()));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(server().received(next)).as("the new password went in a body").isTrue();
        assertThat(server().seenOutsideBodies(next)).as("the new password in a URI or header").isFalse();
        assertThat(server().seenOutsideBodies(admin().secret().reveal())).as("the admin secret in a URI or header").isFalse();
        assertThat(server().seenOutsideBodies(old)).isFalse();
    }

    /** The contract's case through the admin: these connectors have no self-change (see the class comment). */
    @Test
    @Override
    public void aTargetThatStopsAnsweringAfterTheChangeIsUnknownWithinTheTimeout() throws Exception {
        String old = candidate();
        String user = newAccount("h", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.HANG_AFTER_CHANGE, user); TargetConnector c = open(wire.target())) {
            long start = System.nanoTime();
            ChangeResult r = c.change(new ChangeRequest(wire.target(), user, null, s(next), admin()));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the timeout settings").isLessThan(bound());
            assertThat(wire.faultHit()).as("the target went silent after it applied the change").isTrue();
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
            assertThat(r.detail()).doesNotContain(old).doesNotContain(next).doesNotContain(admin().secret().reveal());
        }
        assertOnlyNewWorks(user, old, next);
    }

    /** A connector for {@code target}, guarded as the protocol calls it (through the registry). */
    protected TargetConnector open(Target target) {
        io.rotor.connector.ConnectorRegistry registry = new io.rotor.connector.ConnectorRegistry();
        registry.register(factory());
        return registry.connectorFor(target);
    }
}
