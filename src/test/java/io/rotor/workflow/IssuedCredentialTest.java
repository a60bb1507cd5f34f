package io.rotor.workflow;

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
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A target that generates the credential itself (an AWS access key; docs/architecture.md, "AWS IAM"): the protocol
 * stores what the target issued, not its own candidate, verifies it and commits it.
 */
class IssuedCredentialTest {
    @TempDir
    Path dataDir;
    private Vault vault;
    private RotationService rotation;
    /** What the target accepts, per user: only the key it issued last (the old one is deleted on change). */
    private final Map<String, String> live = new ConcurrentHashMap<>();
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        ConnectorRegistry registry = new ConnectorRegistry();
        registry.register(new IssuingTarget());
        rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(), Duration.ofMinutes(5), 3);
        vault.targets().upsertTarget(new Target("t1", "issuing", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount("k1", "t1", "deployer", CredentialType.API_KEY, null);
        live.put("deployer", "KEY0:first");
        rotation.set("k1", s("KEY0:first"), true, "test");
    }

    @AfterEach
    void close() throws Exception {
        vault.close();
    }

    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    private String stored(Slot slot) {
        return vault.credentials().read("k1", slot).map(c -> {
            try (StoredCredential credential = c) {
                return credential.secret().reveal();
            }
        }).orElse(null);
    }

    @Test
    void theCredentialTheTargetIssuedBecomesCurrent() {
        OperationResult r = rotation.rotate("k1", "test");
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(stored(Slot.CURRENT)).isEqualTo("KEY1:issued-1").isEqualTo(live.get("deployer"));
        assertThat(stored(Slot.PREVIOUS)).isEqualTo("KEY0:first");
        assertThat(stored(Slot.PENDING)).isNull();
        assertThat(vault.credentials().read("k1", Slot.CURRENT).orElseThrow().version()).as("one version per rotation").isEqualTo(2);
        // and again: the issued key signed the next change
        assertThat(rotation.rotate("k1", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(stored(Slot.CURRENT)).isEqualTo("KEY2:issued-2");
        assertThat(rotation.verify("k1", "test").outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    private final class IssuingTarget implements ConnectorFactory {
        @Override
        public String type() {
            return "issuing";
        }

        @Override
        public TargetConnector create(Target target, ConnectorContext context) {
            return new TargetConnector() {
                @Override
                public String type() {
                    return "issuing";
                }

                @Override
                public VerifyResult verify(VerifyRequest request) {
                    return request.login().secret().reveal().equals(live.get(request.login().username()))
                            ? VerifyResult.valid() : VerifyResult.rejected("unknown key");
                }

                @Override
                public ChangeResult change(ChangeRequest request) {
                    if (!request.current().reveal().equals(live.get(request.username()))) {
                        return ChangeResult.loginRefused("unknown key");
                    }
                    int n = issued.incrementAndGet();
                    String key = "KEY" + n + ":issued-" + n;
                    live.put(request.username(), key); // the old key is deleted: only the issued one works
                    return ChangeResult.changedTo(s(key), "issued KEY" + n);
                }

                @Override
                public ChangeResult reconcile(ReconcileRequest request) {
                    return ChangeResult.rejected("not in this test");
                }

                @Override
                public DiscoverResult discover(DiscoverRequest request) {
                    return new DiscoverResult(List.of());
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
