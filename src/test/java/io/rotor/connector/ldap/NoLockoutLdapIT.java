package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.RotationSchedule;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.schedule.RotationDue;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.OperationResult.Outcome;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Rotor never locks an account out" on the real slapd (docs/architecture.md, "Automatic work"). Both entries live
 * under a ppolicy of their own that locks after {@value #MAX_FAILURE} failed binds. The control shows that this many
 * wrong binds lock an entry (pwdAccountLockedTime appears), so the test can fail. Then an account whose vault holds a
 * wrong password becomes OUT_OF_SYNC at one verify, and {@value #HEARTBEATS} heartbeat runs (the heartbeat's account
 * list, then its verify) and a scheduled rotation add no failed bind: the entry stays unlocked and its real password
 * still binds.
 */
class NoLockoutLdapIT {
    private static final int MAX_FAILURE = 3;
    private static final int HEARTBEATS = 10;
    private static final String POLICY = "rotor_it_aw_lockout";
    private static final String USER = "rotor_it_aw_user";
    private static final String CONTROL = "rotor_it_aw_control";
    private static final String REAL = "Aw-Real-Passw0rd-1";
    private static final String WRONG = "Aw-Wrong-Passw0rd-1";

    @TempDir
    Path dataDir;

    private LdapIt it;
    private Vault vault;
    private ConnectorRegistry registry;
    private RotationService rotation;
    private RotationDue heartbeat;
    private String userDn;
    private String controlDn;

    @BeforeEach
    void setUp() throws Exception {
        it = new LdapIt();
        String policyDn = "cn=" + POLICY + "," + it.ldap.policiesDn();
        it.delete(policyDn);
        try (LDAPConnection c = it.admin()) {
            c.add("dn: " + policyDn, "objectClass: pwdPolicy", "objectClass: device", "cn: " + POLICY,
                    "pwdAttribute: userPassword", "pwdLockout: TRUE", "pwdMaxFailure: " + MAX_FAILURE,
                    "pwdLockoutDuration: 0", "pwdFailureCountInterval: 0", "pwdAllowUserChange: TRUE", "pwdMustChange: FALSE");
        }
        userDn = it.person(USER, USER, REAL);
        controlDn = it.person(CONTROL, CONTROL, REAL);
        it.usePolicy(userDn, POLICY);
        it.usePolicy(controlDn, POLICY);

        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        registry = new ConnectorRegistry();
        registry.register(new LdapConnectorFactory());
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        heartbeat = new RotationDue(vault.accounts(), vault.policies(), ZoneOffset.UTC, RotationSchedule.none(), Clock.systemUTC());
        vault.targets().upsertTarget(new Target("slapd", "ldap", it.ldap.host(), it.ldap.port(), null, TlsMode.VERIFY_FULL,
                null, null, Map.of("baseDn", it.ldap.peopleDn(), "usernameIs", "login", "trustStore", it.ldap.caFile().toString())));
        vault.accounts().upsertAccount("aw-user", "slapd", USER, CredentialType.PASSWORD, null);
        // the vault holds a password the directory does not: someone changed it behind Rotor's back
        rotation.set("aw-user", Secret.fromUtf8(WRONG.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (vault != null) {
            vault.close();
        }
        it.delete(userDn);
        it.delete(controlDn);
        it.delete("cn=" + POLICY + "," + it.ldap.policiesDn());
    }

    /** The entry's ppolicy state, read as the admin: locked, and how many failed binds it counts. */
    private record Lockout(boolean locked, int failures) {
    }

    private Lockout lockout(String dn) throws Exception {
        try (LDAPConnection c = it.admin()) {
            SearchResultEntry entry = c.getEntry(dn, "pwdAccountLockedTime", "pwdFailureTime");
            String[] failures = entry.getAttributeValues("pwdFailureTime");
            return new Lockout(entry.hasAttribute("pwdAccountLockedTime"), failures == null ? 0 : failures.length);
        }
    }

    private boolean wrongBind(String dn) throws Exception {
        try (LDAPConnection c = it.ldaps()) {
            c.bind(dn, WRONG);
            return true;
        } catch (LDAPException e) {
            assertThat(e.getResultCode()).isEqualTo(ResultCode.INVALID_CREDENTIALS);
            return false;
        }
    }

    @Test
    void controlTheSameNumberOfWrongBindsLocksTheEntry() throws Exception {
        for (int i = 0; i < HEARTBEATS; i++) {
            assertThat(wrongBind(controlDn)).isFalse();
        }

        assertThat(lockout(controlDn).locked()).as("pwdAccountLockedTime after " + HEARTBEATS + " wrong binds").isTrue();
        assertThat(it.binds(controlDn, REAL)).as("a locked entry refuses even its real password").isFalse();
    }

    @Test
    void heartbeatsNeverLockOutAnAccountKnownToBeOutOfSync() throws Exception {
        OperationResult first = rotation.verify("aw-user", "cli:test");
        assertThat(first.outcome()).as(first.detail()).isEqualTo(Outcome.OUT_OF_SYNC);
        assertThat(lockout(userDn)).isEqualTo(new Lockout(false, 1));

        java.util.List<Outcome> direct = new java.util.ArrayList<>();
        for (int run = 0; run < HEARTBEATS; run++) {
            for (String accountId : heartbeat.heartbeatAccounts()) {
                rotation.verify(accountId, "heartbeat");
            }
            // should a list ever hand it out, the verify itself refuses too
            direct.add(rotation.verify("aw-user", "heartbeat").outcome());
        }
        OperationResult scheduled = rotation.rotate("aw-user", "schedule");

        assertThat(lockout(userDn)).as("one failed bind (the person's verify), no lock").isEqualTo(new Lockout(false, 1));
        assertThat(it.binds(userDn, REAL)).as("the real password still binds").isTrue();
        assertThat(direct).containsOnly(Outcome.SKIPPED);
        assertThat(scheduled.outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(heartbeat.heartbeatAccounts()).doesNotContain("aw-user");
        assertThat(vault.accounts().findAccount("aw-user").orElseThrow().status()).isEqualTo(AccountStatus.OUT_OF_SYNC);
    }

    @Test
    void aSelfRotationWhoseLoginIsRefusedTriesOnceNotOncePerFreshPassword() throws Exception {
        OperationResult result = rotation.rotate("aw-user", "cli:test");

        assertThat(result.outcome()).as(result.detail()).isEqualTo(Outcome.OUT_OF_SYNC);
        assertThat(lockout(userDn)).as("one refused bind, not " + MAX_FAILURE).isEqualTo(new Lockout(false, 1));
        assertThat(it.binds(userDn, REAL)).isTrue();
    }
}
