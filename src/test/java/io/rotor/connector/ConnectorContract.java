package io.rotor.connector;

import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every connector must do, the same way on every target (docs/architecture.md, "Adding a connector"): a
 * subclass per target (an *IT on the real server, {@code InMemoryContractTest} on the protocol's test double)
 * gives the hooks, this class the cases. Connectors are called through {@link GuardedConnector}, as the protocol
 * calls them.
 *
 * <p>Every change ends with a fresh login outside the connector: the old secret refused, the new one accepted.
 * Network faults come from a {@link FaultProxy} in front of the real target: refused, silent, flooding, cut or
 * hung after the change was applied.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConnectorContract {
    /** Every timeout setting of the contract's targets, in seconds. */
    protected static final int TIMEOUT_SECONDS = 3;
    private static final SecureRandom RANDOM = new SecureRandom();

    protected TargetConnector connector;

    // ---------------------------------------------------------------- hooks

    protected abstract ConnectorFactory factory();

    /** The real target's address. */
    protected abstract String host();

    protected abstract int port();

    /** A target definition pointing at {@code host:port}, every timeout setting {@value #TIMEOUT_SECONDS} s. */
    protected abstract Target target(String host, int port);

    /** Creates a fresh account (a name unique to the test class) with this password; returns the username. */
    protected abstract String newAccount(String tag, String password) throws Exception;

    /** Removes what {@link #newAccount} made. */
    protected abstract void removeAccounts() throws Exception;

    protected abstract Login admin();

    /** A fresh login outside the connector: true when the target accepts the password, false when it refuses it. */
    protected abstract boolean logsIn(String username, String password) throws Exception;

    /**
     * Something read on the target (as its admin, outside the connector) that changes whenever the account's
     * password is set: the stored hash, pwdLastSet. The fault proxy uses it to know the change was applied.
     */
    protected abstract String passwordState(String username) throws Exception;

    /** A candidate this target (or the connector for it) refuses, leaving the old password in place. */
    protected abstract String rejectedCandidate();

    /** A fresh candidate the target accepts. */
    protected String candidate() {
        return "Rc-" + HexFormat.of().formatHex(randomBytes(6)) + "-9a!Z";
    }

    /** The discover filter that selects exactly {@code username}. */
    protected String discoverFilter(String username) {
        return username;
    }

    /** Whether the transport lists accounts at all. */
    protected boolean discovers() {
        return true;
    }

    /**
     * Whether an account can change its own credential. A cloud directory changes passwords only through its admin
     * application: the connector must then refuse a self-change without sending anything, and the cases that change
     * through a fault do it as the admin.
     */
    protected boolean selfChanges() {
        return true;
    }

    /**
     * What the connector's verify proves ({@link TargetConnector#verificationKind}). CONFIRMED: it reads the account
     * through the admin login, so it cannot tell a right password from a wrong one; the case checks instead that
     * it tells an existing account from a missing one, and the contract's verify requests carry the admin login.
     */
    protected VerificationKind verificationKind() {
        return VerificationKind.LOGIN;
    }

    /** How long a case against a target that does not answer may take: a connect and a read, each bounded. */
    protected Duration bound() {
        return Duration.ofSeconds(2L * TIMEOUT_SECONDS + 4);
    }

    /** The target with a fault in front of it; the default puts a {@link FaultProxy} before the real server. */
    protected Wire wire(FaultProxy.Mode mode, String username) throws Exception {
        String before = username == null ? null : passwordState(username);
        FaultProxy proxy = new FaultProxy(host(), port(), mode, () -> {
            try {
                return !Objects.equals(before, passwordState(username));
            } catch (Exception e) {
                return false;
            }
        });
        Target target = target("127.0.0.1", proxy.port());
        return new Wire() {
            @Override
            public Target target() {
                return target;
            }

            @Override
            public boolean sent(String value) {
                return proxy.clientSent(value);
            }

            @Override
            public boolean faultHit() {
                return proxy.faultHit();
            }

            @Override
            public void close() {
                proxy.close();
            }
        };
    }

    /** A target behind a fault, and what went over its wire. */
    protected interface Wire extends AutoCloseable {
        Target target();

        /** Whether {@code value} reached the wire. */
        boolean sent(String value);

        boolean faultHit();

        @Override
        void close();
    }

    // ---------------------------------------------------------------- lifecycle

    @BeforeAll
    public void openConnector() throws Exception {
        connector = new GuardedConnector(factory().create(target(host(), port())));
    }

    @AfterAll
    public void closeConnector() throws Exception {
        if (connector != null) {
            connector.close();
        }
        removeAccounts();
    }

    // ---------------------------------------------------------------- the contract

    @Test
    public void verifyTellsTheRightSecretFromAWrongOne() throws Exception {
        assertThat(connector.verificationKind(io.rotor.domain.CredentialType.PASSWORD)).isEqualTo(verificationKind());
        String pw = candidate();
        String user = newAccount("v", pw);
        VerifyResult valid = connector.verify(verify(user, pw));
        assertThat(valid.outcome()).as(valid.detail()).isEqualTo(VerifyResult.Outcome.VALID);
        if (verificationKind() == VerificationKind.CONFIRMED) {
            // no login exists: the admin reads the account; a missing one is refused, and without the admin nothing is VALID
            String missing = "missing" + runTag() + "_" + user;
            VerifyResult none = connector.verify(verify(missing, pw));
            assertThat(none.outcome()).as(none.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);
            VerifyResult withoutAdmin = connector.verify(new VerifyRequest(target(host(), port()), new Login(user, s(pw))));
            assertThat(withoutAdmin.outcome()).as(withoutAdmin.detail()).isNotEqualTo(VerifyResult.Outcome.VALID);
            assertNoSecret(valid.detail() + none.detail() + withoutAdmin.detail(), pw, admin().secret().reveal());
            return;
        }
        String wrong = candidate();
        VerifyResult refused = connector.verify(verify(user, wrong));
        assertThat(refused.outcome()).as(refused.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertNoSecret(refused.detail(), pw, wrong);
    }

    @Test
    public void selfChangeLeavesOnlyTheNewSecret() throws Exception {
        String old = candidate();
        String user = newAccount("s", old);
        String next = candidate();
        ChangeResult r = connector.change(new ChangeRequest(target(host(), port()), user, s(old), s(next), null));
        if (!selfChanges()) {
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).as("nobody's login was refused; the connector needs its admin").isFalse();
            assertNoSecret(r.detail(), old, next);
            assertUnchanged(user, old, next);
            return;
        }
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertNoSecret(r.detail(), old, next);
        assertOnlyNewWorks(user, old, next);
    }

    @Test
    public void adminChangeLeavesOnlyTheNewSecret() throws Exception {
        String old = candidate();
        String user = newAccount("a", old);
        String next = candidate();
        ChangeResult r = connector.change(new ChangeRequest(target(host(), port()), user, null, s(next), admin()));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertNoSecret(r.detail(), old, next, admin().secret().reveal());
        assertOnlyNewWorks(user, old, next);
    }

    @Test
    public void reconcileSetsASecretWhoseOldValueIsUnknown() throws Exception {
        String unknown = candidate();
        String user = newAccount("r", unknown);
        String next = candidate();
        ChangeResult r = connector.reconcile(new ReconcileRequest(target(host(), port()), user, s(next), admin()));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertOnlyNewWorks(user, unknown, next);
    }

    @Test
    public void discoverListsTheAccount() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(discovers(),
                "this transport has no way to list accounts; the connector says so (see the subclass)");
        String user = newAccount("d", candidate());
        DiscoverResult found = connector.discover(new DiscoverRequest(target(host(), port()), admin(), discoverFilter(user)));
        assertThat(found.usernames()).contains(user);
    }

    @Test
    public void aRejectedCandidateIsRejectedAndChangesNothing() throws Exception {
        String old = candidate();
        String user = newAccount("j", old);
        String bad = rejectedCandidate();
        ChangeResult self = selfChanges()
                ? connector.change(new ChangeRequest(target(host(), port()), user, s(old), s(bad), null))
                : ChangeResult.rejected("");
        assertThat(self.outcome()).as(self.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        ChangeResult viaAdmin = connector.change(new ChangeRequest(target(host(), port()), user, null, s(bad), admin()));
        assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertNoSecret(self.detail() + viaAdmin.detail(), old, bad);
        assertThat(logsIn(user, old)).as("the old secret still works").isTrue();
    }

    @Test
    public void anUnreachableTargetIsToldApartAndGetsNothing() throws Exception {
        String old = candidate();
        String user = newAccount("u", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.REFUSE, null); TargetConnector c = open(wire)) {
            VerifyResult v = c.verify(verify(user, old));
            assertThat(v.outcome()).as(v.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            ChangeResult self = selfChanges() ? c.change(new ChangeRequest(wire.target(), user, s(old), s(next), null))
                    : ChangeResult.rejected("");
            assertThat(self.outcome()).as(self.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            ChangeResult viaAdmin = c.change(new ChangeRequest(wire.target(), user, null, s(next), admin()));
            assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(wire.faultHit()).as("the connector did try to connect").isTrue();
            assertThat(wire.sent(next)).as("the candidate never reached the wire").isFalse();
            assertNoSecret(v.detail() + self.detail() + viaAdmin.detail(), old, next);
        }
        assertUnchanged(user, old, next);
    }

    @Test
    public void aConnectionCutAfterTheChangeWasSentIsUnknown() throws Exception {
        String old = candidate();
        String user = newAccount("c", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.CUT_AFTER_CHANGE, user); TargetConnector c = open(wire)) {
            ChangeResult r = c.change(new ChangeRequest(wire.target(), user, null, s(next), admin()));
            assertThat(wire.faultHit()).as("the connection was cut after the target applied the change").isTrue();
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
            assertNoSecret(r.detail(), old, next, admin().secret().reveal());
        }
        // the target did apply it: UNKNOWN was right, REJECTED would have lost the new secret
        assertOnlyNewWorks(user, old, next);
    }

    @Test
    public void aTargetThatStopsAnsweringAfterTheChangeIsUnknownWithinTheTimeout() throws Exception {
        String old = candidate();
        String user = newAccount("h", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.HANG_AFTER_CHANGE, user); TargetConnector c = open(wire)) {
            ChangeResult r = timed(() -> c.change(selfChanges() ? new ChangeRequest(wire.target(), user, s(old), s(next), null)
                    : new ChangeRequest(wire.target(), user, null, s(next), admin())));
            assertThat(wire.faultHit()).as("the target went silent after it applied the change").isTrue();
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
            assertNoSecret(r.detail(), old, next);
        }
        assertOnlyNewWorks(user, old, next);
    }

    @Test
    public void aTargetThatNeverAnswersIsBoundedByTheTimeout() throws Exception {
        String old = candidate();
        String user = newAccount("n", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.SILENT, null); TargetConnector c = open(wire)) {
            VerifyResult v = timed(() -> c.verify(verify(user, old)));
            assertThat(v.outcome()).as(v.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            ChangeResult self = selfChanges()
                    ? timed(() -> c.change(new ChangeRequest(wire.target(), user, s(old), s(next), null)))
                    : ChangeResult.rejected("");
            assertThat(self.outcome()).as(self.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            ChangeResult viaAdmin = timed(() -> c.change(new ChangeRequest(wire.target(), user, null, s(next), admin())));
            assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(wire.sent(next)).as("the candidate never reached the wire").isFalse();
        }
        assertUnchanged(user, old, next);
    }

    @Test
    public void outputLargerThanAnyLimitEndsCleanlyWithinTheTimeout() throws Exception {
        String old = candidate();
        String user = newAccount("f", old);
        String next = candidate();
        try (Wire wire = wire(FaultProxy.Mode.FLOOD, null); TargetConnector c = open(wire)) {
            VerifyResult v = timed(() -> c.verify(verify(user, old)));
            assertThat(v.outcome()).as(v.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            ChangeResult viaAdmin = timed(() -> c.change(new ChangeRequest(wire.target(), user, null, s(next), admin())));
            assertThat(viaAdmin.outcome()).as(viaAdmin.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(wire.faultHit()).isTrue();
            assertThat(wire.sent(next)).as("the candidate never reached the wire").isFalse();
            assertThat(v.detail().length() + viaAdmin.detail().length()).as("details stay short").isLessThan(4096);
        }
        assertUnchanged(user, old, next);
    }

    // ---------------------------------------------------------------- helpers

    private TargetConnector open(Wire wire) {
        return new GuardedConnector(factory().create(wire.target()));
    }

    /** {@code c} behind the guard the protocol puts around every connector, for a subclass's own cases. */
    protected static TargetConnector guarded(TargetConnector c) {
        return new GuardedConnector(c);
    }

    private <T> T timed(Supplier<T> call) {
        long start = System.nanoTime();
        T result = call.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("bounded by the timeout settings (%d s each)", TIMEOUT_SECONDS).isLessThan(bound());
        return result;
    }

    /** A verify request; a CONFIRMED connector also gets the admin login, as the protocol gives it one. */
    protected VerifyRequest verify(String user, String password) {
        return new VerifyRequest(target(host(), port()), new Login(user, s(password)),
                verificationKind() == VerificationKind.CONFIRMED ? admin() : null);
    }

    protected void assertOnlyNewWorks(String user, String old, String next) throws Exception {
        assertThat(logsIn(user, next)).as("a fresh login with the new secret is accepted").isTrue();
        assertThat(logsIn(user, old)).as("a fresh login with the old secret is refused").isFalse();
    }

    private void assertUnchanged(String user, String old, String next) throws Exception {
        assertThat(logsIn(user, old)).as("the old secret still works").isTrue();
        assertThat(logsIn(user, next)).as("the candidate was never set").isFalse();
    }

    private static void assertNoSecret(String detail, String... secrets) {
        for (String secret : secrets) {
            assertThat(String.valueOf(detail)).doesNotContain(secret);
        }
    }

    protected static Secret s(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    protected static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A suffix that makes this run's names unique (several runs may share a target). */
    protected static String runTag() {
        return HexFormat.of().formatHex(randomBytes(2));
    }
}
