package io.rotor.connector.salesforce;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.security.SecureRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What is particular to the Salesforce connector, against {@link SalesforceTestServer} (a specification-driven test
 * server, not the live service): CONFIRMED verification, the connected app's own login, token answers that must not
 * redirect the password, refused tokens and access, TLS trust, and settings refused with the field named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SalesforceConnectorTest {
    private static final String CLIENT_ID = "3MVG9rotorUnitConsumerKey";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String clientSecret = "Cs-" + hex(12);
    private SalesforceTestServer server;
    private final ConnectorRegistry registry = new ConnectorRegistry();

    @BeforeAll
    void start() throws Exception {
        server = new SalesforceTestServer(CLIENT_ID, clientSecret);
    }

    @AfterAll
    void stop() {
        registry.close();
        server.close();
    }

    @AfterEach
    void reset() {
        server.instanceUrlOverride = null;
        server.badSignature = false;
        server.tokenLifetime = Duration.ofHours(2);
    }

    @Test
    void theConnectorIsRegisteredAndItsVerificationIsConfirmed() {
        TargetConnector c = registry.connectorFor(target(Map.of()));
        assertThat(c.type()).isEqualTo("salesforce");
        assertThat(c.verificationKind(CredentialType.PASSWORD)).isEqualTo(VerificationKind.CONFIRMED);
    }

    @Test
    void aChangeIsConfirmedThroughTheAdminApiAndSaysWhatThatProves() {
        String next = "New-pass-9" + hex(4) + "b";
        String user = user("Old-pass-1a");
        ChangeResult r = registry.connectorFor(target(Map.of())).change(admin(user, next));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(r.detail()).contains("answered 204").contains("not expired");
        assertThat(server.passwordCalls).contains("POST " + user, "GET " + user);
        assertThat(server.logsIn(user, next)).isTrue();
        assertThat(server.logsIn(user, "Old-pass-1a")).isFalse();
    }

    @Test
    void aUsersPasswordHasNoLoginCheckButTheConnectedAppsSecretHas() {
        TargetConnector c = registry.connectorFor(target(Map.of()));
        String user = user("Pass-word-1a");
        VerifyResult userCheck = c.verify(new VerifyRequest(target(Map.of()), new Login(user, s("Pass-word-1a"))));
        assertThat(userCheck.outcome()).as("says nothing about the credential").isEqualTo(VerifyResult.Outcome.UNREACHABLE);
        assertThat(userCheck.detail()).contains("CONFIRMED");

        assertThat(c.verify(new VerifyRequest(target(Map.of()), new Login(CLIENT_ID, s(clientSecret)))).outcome())
                .isEqualTo(VerifyResult.Outcome.VALID);
        VerifyResult wrong = c.verify(new VerifyRequest(target(Map.of()), new Login(CLIENT_ID, s("Cs-wrong-secret"))));
        assertThat(wrong.outcome()).as(wrong.detail()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertThat(wrong.detail()).contains("invalid_client").doesNotContain("Cs-wrong-secret");
    }

    @Test
    void aTokenAnswerNamingAnotherInstanceNeverGetsThePassword() {
        String next = "New-pass-9" + hex(4) + "b";
        server.instanceUrlOverride = "https://attacker.example.com";
        String user = user("Old-pass-1a");
        ChangeResult r = registry.connectorFor(target(Map.of())).change(admin(user, next));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.detail()).contains("instance_url");
        assertThat(server.received(next)).as("the password was not sent").isFalse();
        assertThat(server.logsIn(user, "Old-pass-1a")).isTrue();
    }

    @Test
    void aTokenAnswerWhoseSignatureDoesNotMatchTheSecretIsRefused() {
        String next = "New-pass-9" + hex(4) + "b";
        server.badSignature = true;
        String user = user("Old-pass-1a");
        ChangeResult r = registry.connectorFor(target(Map.of())).change(admin(user, next));
        assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.detail()).contains("signature");
        assertThat(server.received(next)).isFalse();
    }

    @Test
    void aWrongClientSecretIsALoginRefusalAndSendsNothing() {
        String next = "New-pass-9" + hex(4) + "b";
        String user = user("Old-pass-1a");
        ChangeResult r = registry.connectorFor(target(Map.of())).change(new ChangeRequest(target(Map.of()), user, null,
                s(next), new Login(CLIENT_ID, s("Cs-not-the-secret"))));
        assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.loginRefused()).as(r.detail()).isTrue();
        assertThat(r.detail()).doesNotContain("Cs-not-the-secret");
        assertThat(server.received(next)).isFalse();
    }

    @Test
    void anExpiredTokenIsRefusedByTheServerAndReportedAsALoginRefusal() {
        String next = "New-pass-9" + hex(4) + "b";
        server.tokenLifetime = Duration.ZERO;
        String user = user("Old-pass-1a");
        ChangeResult r = registry.connectorFor(target(Map.of())).reconcile(new ReconcileRequest(target(Map.of()), user,
                s(next), new Login(CLIENT_ID, s(clientSecret))));
        assertThat(r.loginRefused()).as(r.detail()).isTrue();
        assertThat(r.detail()).contains("INVALID_SESSION_ID");
        assertThat(server.logsIn(user, "Old-pass-1a")).isTrue();
    }

    @Test
    void aUserTheAppMayNotManageIsALoginRefusalAndAnUnknownUserARejection() {
        String next = "New-pass-9" + hex(4) + "b";
        String guarded = "005" + hex(6).toUpperCase();
        server.addUser(guarded, "Old-pass-1a", false);
        ChangeResult denied = registry.connectorFor(target(Map.of())).change(admin(guarded, next));
        assertThat(denied.loginRefused()).as(denied.detail()).isTrue();
        assertThat(denied.detail()).contains("INSUFFICIENT_ACCESS");

        ChangeResult missing = registry.connectorFor(target(Map.of())).change(admin("005" + hex(6).toUpperCase(), next));
        assertThat(missing.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(missing.loginRefused()).isFalse();
        assertThat(missing.detail()).contains("NOT_FOUND");
    }

    @Test
    void aServiceFaultAnsweringTheChangeIsUnknown() {
        String next = "New-pass-9" + hex(4) + "b";
        String user = user("Old-pass-1a");
        server.failNextChange.set(503);
        ChangeResult r = registry.connectorFor(target(Map.of())).change(admin(user, next));
        assertThat(r.outcome()).as("a 5xx to the change request may hide an applied change").isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(r.detail()).contains("503");
    }

    @Test
    void aUsernameThatIsNotAUserIdIsRefusedBeforeAnythingIsSent() {
        String next = "New-pass-9" + hex(4) + "b";
        int before = server.receivedCount();
        ChangeResult r = registry.connectorFor(target(Map.of())).change(admin("../../sobjects/Account/001", next));
        assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(r.detail()).contains("User id");
        assertThat(server.receivedCount()).isEqualTo(before);
    }

    @Test
    void aServerWhoseCertificateIsNotInTheTrustStoreGetsNothing() {
        String next = "New-pass-9" + hex(4) + "b";
        Target distrusting = target(Map.of("trustStore", TestTls.other().pem().toString()));
        String user = user("Old-pass-1a");
        int before = server.receivedCount();
        try (TargetConnector c = new SalesforceConnectorFactory().create(distrusting)) {
            ChangeResult r = c.change(new ChangeRequest(distrusting, user, null, s(next), new Login(CLIENT_ID, s(clientSecret))));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("TLS handshake failed");
        }
        assertThat(server.receivedCount()).as("not even the client secret reached the server").isEqualTo(before);
    }

    @Test
    void theTestServerRefusesWhatTheSpecificationDoesNotDocument() throws Exception {
        var other = io.rotor.connector.https.RawHttps.call(server.port(), "GET", "/services/data/v64.0/sobjects/Account/001000000000001");
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.text()).contains("\"errorCode\":\"NOT_FOUND\"").startsWith("[");
        var noToken = io.rotor.connector.https.RawHttps.call(server.port(), "GET", "/services/data/v64.0/sobjects/User/005000000000001/password");
        assertThat(noToken.status()).isEqualTo(401);
        assertThat(noToken.text()).contains("INVALID_SESSION_ID");
        var foreignToken = io.rotor.connector.https.RawHttps.call(server.port(), "GET",
                "/services/data/v64.0/sobjects/User/005000000000001/password", "Authorization", "Bearer 00Dforged");
        assertThat(foreignToken.status()).isEqualTo(401);
        var tokenByGet = io.rotor.connector.https.RawHttps.call(server.port(), "GET", "/services/oauth2/token");
        assertThat(tokenByGet.status()).isEqualTo(405);
        assertThat(tokenByGet.text()).contains("\"error\"");
    }

    @Test
    void badSettingsAreRefusedNamingTheField() {
        SalesforceConnectorFactory factory = new SalesforceConnectorFactory();
        assertThatThrownBy(() -> factory.create(target(Map.of("apiVersion", "64.0"))))
                .hasMessageContaining("setting 'apiVersion'");
        assertThatThrownBy(() -> factory.create(target(Map.of("instanceUrl", "http://acme.my.salesforce.com"))))
                .hasMessageContaining("setting 'instanceUrl'");
        assertThatThrownBy(() -> factory.create(target(Map.of("instanceUrl", "https://user@acme.my.salesforce.com/x"))))
                .hasMessageContaining("setting 'instanceUrl'");
        assertThatThrownBy(() -> factory.create(target(Map.of("requestTimeoutSeconds", "0"))))
                .hasMessageContaining("setting 'requestTimeoutSeconds'");
        assertThatThrownBy(() -> factory.create(new Target("sf", "salesforce", "127.0.0.1", server.port(), null,
                TlsMode.REQUIRE, null, null, Map.of()))).hasMessageContaining("field 'tls'");

        SchemaValidator schema = SchemaValidator.forInventory();
        ObjectMapper json = new ObjectMapper();
        assertThat(schema.validateSettings("salesforce", json.valueToTree(Map.of("apiVersion", "v64"))).violations())
                .extracting(Violation::path).containsExactly("settings.apiVersion");
        assertThat(schema.validateSettings("salesforce", json.valueToTree(Map.of("instanceUrl", "https://a.example/services"))).violations())
                .extracting(Violation::path).containsExactly("settings.instanceUrl");
        assertThat(schema.validateSettings("salesforce", json.valueToTree(Map.of("apiVersion", "v64.0",
                "instanceUrl", "https://acme.my.salesforce.com"))).violations()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private Target target(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("trustStore", TestTls.server().pem().toString(),
                "connectTimeoutSeconds", "5", "requestTimeoutSeconds", "10"));
        settings.putAll(extra);
        return new Target("sf-unit", "salesforce", "127.0.0.1", server.port(), null, TlsMode.VERIFY_FULL, "sf-app", null, settings);
    }

    private String user(String password) {
        String id = "005" + hex(6).toUpperCase();
        server.addUser(id, password, true);
        return id;
    }

    private ChangeRequest admin(String user, String next) {
        return new ChangeRequest(target(Map.of()), user, null, s(next), new Login(CLIENT_ID, s(clientSecret)));
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
