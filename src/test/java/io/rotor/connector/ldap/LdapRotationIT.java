package io.rotor.connector.ldap;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rotation protocol with the real LDAP connector on the real slapd: a ppolicy rejection leaves the
 * account consistent (CURRENT still binds, nothing PENDING) and every attempt offers a fresh password;
 * once the policy allows it, the next rotation works and the old password stops binding.
 */
class LdapRotationIT {
    private static final String INITIAL = "Rotation-Initial-pw-1";

    @TempDir
    Path dataDir;

    private LdapIt it;
    private Vault vault;
    private RotationService rotation;
    private ConnectorRegistry registry;
    private final List<String> offered = new CopyOnWriteArrayList<>();
    private String dn;

    @BeforeEach
    void setUp() throws Exception {
        it = new LdapIt();
        it.policy("rotor_it_rotation_strict", 64);
        dn = it.person("rotor_it_rotation", "rotor_it_rotation", INITIAL);
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        registry = new ConnectorRegistry();
        registry.register(new RecordingFactory());
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        vault.targets().upsertTarget(new Target("slapd", "ldap", it.ldap.host(), it.ldap.port(), null, TlsMode.VERIFY_FULL, null, null,
                Map.of("baseDn", it.ldap.peopleDn(), "usernameIs", "login", "trustStore", it.ldap.caFile().toString())));
        vault.accounts().upsertAccount("rot", "slapd", "rotor_it_rotation", CredentialType.PASSWORD, null);
        rotation.set("rot", Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    @AfterEach
    void tearDown() throws Exception {
        registry.close();
        vault.close();
        it.delete(dn);
        it.delete("cn=rotor_it_rotation_strict," + it.ldap.policiesDn());
    }

    private String stored(Slot slot) {
        return vault.credentials().read("rot", slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    @Test
    void aPpolicyRejectionKeepsTheAccountConsistentAndTheNextAttemptUsesAFreshPassword() throws Exception {
        it.usePolicy(dn, "rotor_it_rotation_strict");

        OperationResult refused = rotation.rotate("rot", "test");

        assertThat(refused.outcome()).isEqualTo(OperationResult.Outcome.REJECTED);
        assertThat(refused.detail()).contains("policy");
        assertThat(offered).hasSize(3).doesNotHaveDuplicates().doesNotContain(INITIAL);
        assertThat(stored(Slot.CURRENT)).isEqualTo(INITIAL);
        assertThat(vault.credentials().has("rot", Slot.PENDING)).isFalse();
        assertThat(vault.accounts().findAccount("rot").orElseThrow().status()).isNotIn(AccountStatus.PENDING, AccountStatus.NEEDS_RECONCILE);
        assertThat(it.binds(dn, INITIAL)).as("CURRENT still binds").isTrue();
        for (String candidate : offered) {
            assertThat(it.binds(dn, candidate)).isFalse();
        }

        // the policy relaxed (back to the default): the next rotation generates yet another password and works
        try (var c = it.admin()) {
            c.modify("dn: " + dn, "changetype: modify", "delete: pwdPolicySubentry");
        }
        OperationResult ok = rotation.rotate("rot", "test");

        assertThat(ok.outcome()).as(ok.detail()).isEqualTo(OperationResult.Outcome.SUCCEEDED);
        assertThat(offered).hasSize(4).doesNotHaveDuplicates();
        String now = stored(Slot.CURRENT);
        assertThat(now).isEqualTo(offered.get(3));
        assertThat(stored(Slot.PREVIOUS)).isEqualTo(INITIAL);
        assertThat(vault.credentials().has("rot", Slot.PENDING)).isFalse();
        assertThat(it.binds(dn, now)).as("new password binds").isTrue();
        assertThat(it.binds(dn, INITIAL)).as("old password fails").isFalse();
    }

    /** The real LDAP connector, recording each new password offered to it. */
    private final class RecordingFactory implements ConnectorFactory {
        @Override
        public String type() {
            return "ldap";
        }

        @Override
        public TargetConnector create(Target target, ConnectorContext context) {
            LdapConnector real = new LdapConnector(target);
            return new TargetConnector() {
                @Override
                public String type() {
                    return real.type();
                }

                @Override
                public VerifyResult verify(VerifyRequest request) {
                    return real.verify(request);
                }

                @Override
                public ChangeResult change(ChangeRequest request) {
                    offered.add(request.newSecret().reveal());
                    return real.change(request);
                }

                @Override
                public ChangeResult reconcile(ReconcileRequest request) {
                    return real.reconcile(request);
                }

                @Override
                public DiscoverResult discover(DiscoverRequest request) {
                    return real.discover(request);
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }
    }
}
