package io.rotor.connector.cloud;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Login;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the connector contract does not cover: the token flows are checked for real by the specification-driven
 * servers (a wrong client secret, a JWT signed with another key, a scope not delegated, an unknown administrator are
 * refused, and the connector reports a refused admin login without sending the password), TLS trusts only the
 * configured CA, verify confirms what it can, and the servers answer only the documented endpoints.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudOAuthTest {
    private Path dir;
    private EntraTestServer entra;
    private GoogleTestServer google;
    private String appId;
    private String weakAppId;
    private String keyFile;
    private String readOnlyKeyFile;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("cloud-oauth");
        entra = new EntraTestServer(Files.createDirectories(dir.resolve("entra")));
        appId = entra.addApp("App-secret-1", true);
        weakAppId = entra.addApp("App-secret-2", false);
        google = new GoogleTestServer(Files.createDirectories(dir.resolve("google")));
        keyFile = google.addServiceAccount("rotor@p.iam.gserviceaccount.com", Set.of(GoogleTestServer.USER_SCOPE));
        readOnlyKeyFile = google.addServiceAccount("reader@p.iam.gserviceaccount.com", Set.of(GoogleTestServer.READONLY_SCOPE));
        google.addAdmin("admin@example.test");
    }

    @AfterAll
    void stop() {
        entra.close();
        google.close();
    }

    private Target entraTarget(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("tenantId", entra.tenantId, "scope", EntraTestServer.GRAPH_SCOPE,
                "loginEndpoint", entra.base(), "graphEndpoint", entra.base() + "/v1.0", "caFile", entra.caFile().toString(),
                "timeoutSeconds", "5"));
        settings.putAll(extra);
        settings.values().removeIf(String::isEmpty);
        return new Target("entra", "entra-id", "127.0.0.1", entra.port(), null, TlsMode.VERIFY_FULL, null, null, settings);
    }

    private Target googleTarget(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("subject", "admin@example.test", "tokenUri", google.tokenUri(),
                "directoryEndpoint", google.base(), "caFile", google.caFile().toString(), "timeoutSeconds", "5"));
        settings.putAll(extra);
        return new Target("gws", "google-workspace", "127.0.0.1", google.port(), null, TlsMode.VERIFY_FULL, null, null, settings);
    }

    private static Secret s(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    private static ChangeResult adminChange(TargetConnector c, Target t, String user, String next, Login admin) {
        return c.change(new ChangeRequest(t, user, null, s(next), admin));
    }

    // ---------------------------------------------------------------- Entra ID

    @Test
    void entraAWrongClientSecretIsARefusedAdminLoginAndThePasswordIsNotSent() {
        String user = entra.addUser("wrongsecret@contoso.test", "Old-Passw0rd!");
        try (TargetConnector c = new EntraIdConnectorFactory().create(entraTarget(Map.of()))) {
            ChangeResult r = adminChange(c, entraTarget(Map.of()), user, "New-Passw0rd!1", new Login(appId, s("not-the-secret")));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).isTrue();
            assertThat(r.detail()).contains("invalid_client").contains("AADSTS7000215");
        }
        assertThat(entra.received("New-Passw0rd!1")).isFalse();
        assertThat(entra.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    @Test
    void entraAScopeOtherThanGraphsDefaultIsRefusedByTheTokenEndpoint() {
        String user = entra.addUser("scope@contoso.test", "Old-Passw0rd!");
        Target t = entraTarget(Map.of("scope", "https://management.azure.com/.default"));
        try (TargetConnector c = new EntraIdConnectorFactory().create(t)) {
            ChangeResult r = adminChange(c, t, user, "New-Passw0rd!2", new Login(appId, s("App-secret-1")));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("invalid_scope");
        }
        assertThat(entra.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    @Test
    void entraAnApplicationWithoutTheRoleIsDeniedAndNothingChanges() {
        String user = entra.addUser("norole@contoso.test", "Old-Passw0rd!");
        try (TargetConnector c = new EntraIdConnectorFactory().create(entraTarget(Map.of()))) {
            ChangeResult r = adminChange(c, entraTarget(Map.of()), user, "New-Passw0rd!3", new Login(weakAppId, s("App-secret-2")));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).isFalse();
            assertThat(r.detail()).contains("403").contains("Authorization_RequestDenied");
        }
        assertThat(entra.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    @Test
    void entraAnOnPremisesSyncedUserIsRefused() {
        String user = entra.addUser("synced@contoso.test", "Old-Passw0rd!");
        entra.onPremisesSynced(user);
        try (TargetConnector c = new EntraIdConnectorFactory().create(entraTarget(Map.of()))) {
            ChangeResult r = adminChange(c, entraTarget(Map.of()), user, "New-Passw0rd!4", new Login(appId, s("App-secret-1")));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("on-premises");
        }
    }

    @Test
    void entraVerifyAfterAChangeConfirmsItByTheLastPasswordChangeTime() {
        String user = entra.addUser("confirm@contoso.test", "Old-Passw0rd!");
        Login admin = new Login(appId, s("App-secret-1"));
        try (TargetConnector c = new EntraIdConnectorFactory().create(entraTarget(Map.of()))) {
            assertThat(adminChange(c, entraTarget(Map.of()), user, "New-Passw0rd!5", admin).outcome())
                    .isEqualTo(ChangeResult.Outcome.CHANGED);
            VerifyResult v = c.verify(new VerifyRequest(entraTarget(Map.of()), new Login(user, s("New-Passw0rd!5")), admin));
            assertThat(v.outcome()).isEqualTo(VerifyResult.Outcome.VALID);
            assertThat(v.detail()).contains("matches the change").doesNotContain("New-Passw0rd!5");
            // by object id as well as by userPrincipalName
            VerifyResult byId = c.verify(new VerifyRequest(entraTarget(Map.of()), new Login(entra.objectId(user), s("x")), admin));
            assertThat(byId.outcome()).isEqualTo(VerifyResult.Outcome.VALID);
        }
        assertThat(entra.logsIn(user, "New-Passw0rd!5")).isTrue();
        assertThat(entra.logsIn(user, "Old-Passw0rd!")).isFalse();
    }

    @Test
    void entraWithoutTheConfiguredCaTheSelfSignedServerIsRefusedAndNothingIsSent() {
        String user = entra.addUser("noca@contoso.test", "Old-Passw0rd!");
        Target t = entraTarget(Map.of("caFile", ""));
        try (TargetConnector c = new EntraIdConnectorFactory().create(t)) {
            ChangeResult r = adminChange(c, t, user, "New-Passw0rd!6", new Login(appId, s("App-secret-1")));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).isFalse();
        }
        assertThat(entra.received("App-secret-1") && entra.received("New-Passw0rd!6")).isFalse();
        assertThat(entra.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    // ---------------------------------------------------------------- Google Workspace

    @Test
    void googleAJwtSignedWithAnotherKeyIsRefused() throws Exception {
        // the genuine key file with its key id and email, but another private key: only the signature is wrong
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        com.fasterxml.jackson.databind.node.ObjectNode forged = (com.fasterxml.jackson.databind.node.ObjectNode)
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(keyFile);
        forged.put("private_key", "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
                generator.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        String user = google.addUser("forged@example.test", "Old-Passw0rd!");
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(googleTarget(Map.of()))) {
            ChangeResult r = adminChange(c, googleTarget(Map.of()), user, "New-Passw0rd!7",
                    new Login("rotor@p.iam.gserviceaccount.com", s(forged.toString())));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).isTrue();
            assertThat(r.detail()).contains("invalid_grant").contains("Signature");
            assertThat(r.detail()).doesNotContain("PRIVATE KEY");
        }
        assertThat(google.received("New-Passw0rd!7")).isFalse();
        assertThat(google.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    @Test
    void googleAScopeThatIsNotDelegatedIsUnauthorized() {
        String user = google.addUser("nodelegation@example.test", "Old-Passw0rd!");
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(googleTarget(Map.of()))) {
            ChangeResult r = adminChange(c, googleTarget(Map.of()), user, "New-Passw0rd!8",
                    new Login("reader@p.iam.gserviceaccount.com", s(readOnlyKeyFile)));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.loginRefused()).isTrue();
            assertThat(r.detail()).contains("401").contains("unauthorized_client");
        }
        assertThat(google.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    @Test
    void googleAnUnknownAdministratorIsAnInvalidGrant() {
        String user = google.addUser("nosub@example.test", "Old-Passw0rd!");
        Target t = googleTarget(Map.of("subject", "stranger@example.test"));
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(t)) {
            ChangeResult r = adminChange(c, t, user, "New-Passw0rd!9", new Login("rotor@p.iam.gserviceaccount.com", s(keyFile)));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("invalid_grant");
        }
    }

    @Test
    void googleAKeyFileOfAnotherAccountThanTheUsernameIsRefusedBeforeAnythingIsSent() {
        String user = google.addUser("mismatch@example.test", "Old-Passw0rd!");
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(googleTarget(Map.of()))) {
            ChangeResult r = adminChange(c, googleTarget(Map.of()), user, "New-Passw0rd!10",
                    new Login("someone-else@p.iam.gserviceaccount.com", s(keyFile)));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("client_email");
        }
        assertThat(google.received("New-Passw0rd!10")).isFalse();
    }

    @Test
    void googleWithHashFunctionSha1OnlyTheDigestIsSentAndTheNewPasswordSignsIn() {
        String user = google.addUser("hashed@example.test", "Old-Passw0rd!");
        Target t = googleTarget(Map.of("hashFunction", "SHA-1"));
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(t)) {
            ChangeResult r = adminChange(c, t, user, "New-Passw0rd!11", new Login("rotor@p.iam.gserviceaccount.com", s(keyFile)));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(ChangeResult.Outcome.CHANGED);
        }
        assertThat(google.received("New-Passw0rd!11")).as("the clear text never reached the server").isFalse();
        assertThat(google.hashFunctionOf(user)).isEqualTo("SHA-1");
        assertThat(google.logsIn(user, "New-Passw0rd!11")).isTrue();
        assertThat(google.logsIn(user, "Old-Passw0rd!")).isFalse();
    }

    @Test
    void googleVerifyRefusesASuspendedUserAndConfirmsOurUpdate() {
        Login admin = new Login("rotor@p.iam.gserviceaccount.com", s(keyFile));
        String user = google.addUser("verify@example.test", "Old-Passw0rd!");
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(googleTarget(Map.of()))) {
            assertThat(adminChange(c, googleTarget(Map.of()), user, "New-Passw0rd!12", admin).outcome())
                    .isEqualTo(ChangeResult.Outcome.CHANGED);
            VerifyResult v = c.verify(new VerifyRequest(googleTarget(Map.of()), new Login(user, s("New-Passw0rd!12")), admin));
            assertThat(v.outcome()).isEqualTo(VerifyResult.Outcome.VALID);
            assertThat(v.detail()).contains("the one our last update produced");
            google.suspend(user);
            VerifyResult suspended = c.verify(new VerifyRequest(googleTarget(Map.of()), new Login(user, s("New-Passw0rd!12")), admin));
            assertThat(suspended.outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
            assertThat(suspended.detail()).contains("suspended");
        }
    }

    @Test
    void aFailedUpdateThatTheServerDidNotApplyIsUnknownNeverChanged() {
        String user = google.addUser("backend@example.test", "Old-Passw0rd!");
        google.failNextUpdate = true;
        try (TargetConnector c = new GoogleWorkspaceConnectorFactory().create(googleTarget(Map.of()))) {
            ChangeResult r = adminChange(c, googleTarget(Map.of()), user, "New-Passw0rd!13",
                    new Login("rotor@p.iam.gserviceaccount.com", s(keyFile)));
            // a 5xx says nothing about whether the write landed: recovery re-applies it
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
            assertThat(r.detail()).contains("503");
        }
        assertThat(google.logsIn(user, "Old-Passw0rd!")).isTrue();
    }

    // ---------------------------------------------------------------- the servers answer only what is documented

    @Test
    void theServersRefuseUndocumentedPathsAndMethodsInTheVendorsShape() throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(io.rotor.security.TestKeyStores.trusting(
                SpecServer.keyStoreFile(), SpecServer.keyStorePassword())).build();
        HttpResponse<String> graphList = client.send(HttpRequest.newBuilder(URI.create(entra.base() + "/v1.0/users")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(graphList.statusCode()).isEqualTo(404);
        assertThat(graphList.body()).contains("\"error\"").contains("\"code\"").contains("innerError");
        HttpResponse<String> delete = client.send(HttpRequest.newBuilder(URI.create(entra.base() + "/v1.0/users/a@b.test"))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(405);
        HttpResponse<String> noToken = client.send(HttpRequest.newBuilder(URI.create(entra.base() + "/v1.0/users/a@b.test"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(noToken.body()).contains("InvalidAuthenticationToken");

        HttpClient googleClient = HttpClient.newBuilder().sslContext(io.rotor.security.TestKeyStores.trusting(
                SpecServer.keyStoreFile(), SpecServer.keyStorePassword())).build();
        HttpResponse<String> list = googleClient.send(HttpRequest.newBuilder(URI.create(google.base() + "/admin/directory/v1/users"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(404);
        assertThat(list.body()).contains("\"errors\"").contains("\"reason\"");
        HttpResponse<String> remove = googleClient.send(HttpRequest.newBuilder(URI.create(google.base()
                + "/admin/directory/v1/users/a@b.test")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(remove.statusCode()).isEqualTo(405);
        HttpResponse<String> unsigned = googleClient.send(HttpRequest.newBuilder(URI.create(google.tokenUri()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                        + "&assertion=eyJhbGciOiJub25lIn0.eyJpc3MiOiJyb3RvckBwLmlhbS5nc2VydmljZWFjY291bnQuY29tIn0."))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).as("alg none is never accepted").isEqualTo(400);
        assertThat(unsigned.body()).contains("invalid_grant");
    }
}
