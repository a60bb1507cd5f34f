package io.rotor.connector.rackspace;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerificationKind;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.connector.https.TestTls;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.schema.SchemaValidator;
import io.rotor.schema.Violation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What is particular to the Rackspace connector, against {@link RackspaceTestServer} (a specification-driven test
 * server, not the live service): verification by login with a password or an API key, an admin that logs in with
 * its API key, API-key rotation refused without a request, refused admins, and settings refused with the field named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RackspaceConnectorTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String adminPassword = "Adm1n-" + hex(8);
    private final String adminKey = hex(16);
    private RackspaceTestServer server;
    private final ConnectorRegistry registry = new ConnectorRegistry();

    @BeforeAll
    void start() throws Exception {
        server = new RackspaceTestServer();
        server.addUser("unit-admin", "dom1", true, adminPassword, adminKey);
        server.addUser("other-admin", "dom2", true, "Other-adm1n", hex(16));
    }

    @AfterAll
    void stop() {
        registry.close();
        server.close();
    }

    @Test
    void theConnectorIsRegisteredAndVerifiesByLogin() {
        TargetConnector c = registry.connectorFor(target("rs-pw", Map.of()));
        assertThat(c.type()).isEqualTo("rackspace");
        assertThat(c.verificationKind(CredentialType.PASSWORD)).isEqualTo(VerificationKind.LOGIN);
    }

    @Test
    void anAdminLoggingInWithItsApiKeyChangesAPassword() {
        String next = "New-pass-9" + hex(4) + "B";
        String user = user("Old-pass-1a");
        Target target = target("rs-adminkey", Map.of("adminCredential", "apiKey"));
        ChangeResult r = registry.connectorFor(target).change(new ChangeRequest(target, user, null, s(next),
                new Login("unit-admin", s(adminKey))));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(server.logsIn(user, next)).isTrue();
        assertThat(server.logsIn(user, "Old-pass-1a")).isFalse();
    }

    @Test
    void apiKeysAreVerifiedByLoginButTheirRotationIsRefusedWithoutARequest() {
        String user = user("Old-pass-1a");
        String key = server.user(user).apiKey;
        Target target = target("rs-keys", Map.of("credential", "apiKey"));
        TargetConnector c = registry.connectorFor(target);
        assertThat(c.verify(new VerifyRequest(target, new Login(user, s(key)))).outcome()).isEqualTo(VerifyResult.Outcome.VALID);
        VerifyResult wrong = c.verify(new VerifyRequest(target, new Login(user, s(hex(16)))));
        assertThat(wrong.outcome()).as(wrong.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);

        int calls = server.calls.size();
        int bodies = server.receivedCount();
        ChangeResult change = c.change(new ChangeRequest(target, user, s(key), s(hex(16)), new Login("unit-admin", s(adminPassword))));
        ChangeResult reconcile = c.reconcile(new ReconcileRequest(target, user, s(hex(16)), new Login("unit-admin", s(adminPassword))));
        for (ChangeResult r : new ChangeResult[]{change, reconcile}) {
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).isFalse();
            assertThat(r.detail()).contains("generates a new API key itself").contains("nothing was sent");
        }
        assertThat(server.calls).hasSize(calls);
        assertThat(server.receivedCount()).isEqualTo(bodies);
        assertThat(server.user(user).apiKey).as("the key was not reset").isEqualTo(key);
    }

    @Test
    void aRefusedAdminLoginIsALoginRefusalAndAForeignAdminIsRefusedByTheServer() {
        String next = "New-pass-9" + hex(4) + "B";
        String other = "New-pass-9" + hex(4) + "C";
        String user = user("Old-pass-1a");
        Target target = target("rs-pw", Map.of());
        ChangeResult wrong = registry.connectorFor(target).change(new ChangeRequest(target, user, null, s(next),
                new Login("unit-admin", s("Wrong-passw0rd"))));
        assertThat(wrong.loginRefused()).as(wrong.detail()).isTrue();
        assertThat(wrong.detail()).contains("unauthorized").doesNotContain("Wrong-passw0rd");
        assertThat(server.received(next)).isFalse();

        // an admin of another domain does not see the user: nothing is sent
        ChangeResult foreign = registry.connectorFor(target).change(new ChangeRequest(target, user, null, s(other),
                new Login("other-admin", s("Other-adm1n"))));
        assertThat(foreign.outcome()).as(foreign.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(foreign.detail()).contains("itemNotFound");
        assertThat(server.received(other)).isFalse();
        assertThat(server.logsIn(user, "Old-pass-1a")).isTrue();
    }

    @Test
    void aDisabledUserSaysNothingAboutTheCredentialAndASecondFactorMeansTheFirstWasRight() {
        String disabled = user("Pass-word-1a");
        server.user(disabled).enabled = false;
        Target target = target("rs-pw", Map.of());
        TargetConnector c = registry.connectorFor(target);
        VerifyResult off = c.verify(new VerifyRequest(target, new Login(disabled, s("Pass-word-1a"))));
        assertThat(off.outcome()).as(off.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);

        String mfa = user("Pass-word-2b");
        server.multiFactor.add(mfa);
        assertThat(c.verify(new VerifyRequest(target, new Login(mfa, s("Pass-word-2b")))).outcome()).isEqualTo(VerifyResult.Outcome.VALID);
        assertThat(c.verify(new VerifyRequest(target, new Login(mfa, s("Wrong-word-2b")))).outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
    }

    @Test
    void aServiceFaultAnsweringTheChangeIsUnknown() {
        String user = user("Old-pass-1a");
        Target target = target("rs-pw", Map.of());
        server.failNextChange.set(503);
        ChangeResult r = registry.connectorFor(target).change(new ChangeRequest(target, user, null, s("New-pass-9" + hex(4) + "B"),
                new Login("unit-admin", s(adminPassword))));
        assertThat(r.outcome()).as("a 5xx to the change request may hide an applied change").isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(r.detail()).contains("serviceUnavailable");
    }

    @Test
    void aUsernameThatCouldBendTheQueryIsRefusedBeforeAnythingIsSent() {
        String next = "New-pass-9" + hex(4) + "B";
        Target target = target("rs-pw", Map.of());
        int before = server.receivedCount();
        ChangeResult r = registry.connectorFor(target).change(new ChangeRequest(target, "bob&name=unit-admin", null,
                s(next), new Login("unit-admin", s(adminPassword))));
        assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(server.receivedCount()).isEqualTo(before);
        assertThat(server.logsIn("unit-admin", adminPassword)).isTrue();
    }

    @Test
    void theTestServerRefusesWhatTheSpecificationDoesNotDocument() throws Exception {
        var other = io.rotor.connector.https.RawHttps.call(server.port(), "GET", "/v2.0/tenants");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.text()).contains("\"itemNotFound\"");
        var wrongMethod = io.rotor.connector.https.RawHttps.call(server.port(), "GET", "/v2.0/tokens");
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.text()).contains("\"badMethod\"");
        var forged = io.rotor.connector.https.RawHttps.call(server.port(), "GET", "/v2.0/users?name=unit-admin", "X-Auth-Token", "forged");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.text()).contains("\"unauthorized\"");
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        RackspaceConnectorFactory factory = new RackspaceConnectorFactory();
        assertThatThrownBy(() -> factory.create(target("x", Map.of("credential", "apikey")))).hasMessageContaining("setting 'credential'");
        assertThatThrownBy(() -> factory.create(target("x", Map.of("adminCredential", "token")))).hasMessageContaining("setting 'adminCredential'");
        assertThatThrownBy(() -> factory.create(new Target("x", "rackspace", "identity.example/v2.0", 443, null, TlsMode.VERIFY_FULL,
                null, null, Map.of()))).hasMessageContaining("field 'host'");
        SchemaValidator schema = SchemaValidator.forInventory();
        ObjectMapper json = new ObjectMapper();
        assertThat(schema.validateSettings("rackspace", json.valueToTree(Map.of("credential", "key"))).violations())
                .extracting(Violation::path).containsExactly("settings.credential");
        assertThat(schema.validateSettings("rackspace", json.valueToTree(Map.of("connectTimeoutSeconds", "soon"))).violations())
                .extracting(Violation::path).containsExactly("settings.connectTimeoutSeconds");
    }

    // ---------------------------------------------------------------- helpers

    private Target target(String id, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("trustStore", TestTls.server().pem().toString(),
                "connectTimeoutSeconds", "5", "requestTimeoutSeconds", "10"));
        settings.putAll(extra);
        return new Target(id, "rackspace", "127.0.0.1", server.port(), null, TlsMode.VERIFY_FULL, "rs-admin", null, settings);
    }

    private String user(String password) {
        String name = "unit-" + hex(4);
        server.addUser(name, "dom1", false, password, hex(16));
        return name;
    }

    private static Secret s(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
