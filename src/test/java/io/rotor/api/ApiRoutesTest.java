package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.AccountQueries;
import io.rotor.workflow.FailureResults;
import io.rotor.workflow.FakeTarget;
import io.rotor.workflow.RecoveryService;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API as Camel Main runs it: {@link ApiRoutes} on platform-http over HTTP, the shipped workflow routes
 * ({@code routes/*.camel.yaml}) behind it, the real vault and protocol, and an in-memory target double.
 */
class ApiRoutesTest extends CamelMainTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INITIAL = "initial-Passw0rd";
    private static final String SA_PASSWORD = "seed-script-password-1";

    private final int port = freePort();
    /** The shipped configuration with the HTTP server on a free port (Camel Main reads camel.server.* from the file). */
    private final Path config = configOnPort(port);
    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeTarget target = new FakeTarget();
    private Path dataDir;
    private Vault vault;
    private AuthStore auth;
    private String adminToken;
    private String operatorToken;
    private String auditorToken;

    private static int freePort() {
        return io.rotor.it.TestPorts.free();
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
        configuration.addRoutesBuilder(new ApiRoutes());
    }

    private static Path configOnPort(int port) {
        try {
            String shipped = Files.readString(Path.of("config", "application.properties"));
            String adjusted = shipped.replaceFirst("(?m)^camel\\.server\\.port\\s*=.*$", "camel.server.port = " + port);
            if (adjusted.equals(shipped)) {
                throw new IllegalStateException("config/application.properties has no camel.server.port line");
            }
            Path file = Files.createTempFile("rotor-api-test-", ".properties");
            Files.writeString(file, adjusted);
            return file;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:" + config;
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties overrides = new Properties();
        overrides.setProperty("camel.management.enabled", "false");
        overrides.setProperty("camel.metrics.enabled", "false");
        return overrides;
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        dataDir = Files.createTempDirectory("rotor-api-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        auth = new AuthStore(vault.tokens());
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.register(target);
        RotationService rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        registry.bind("rotationService", rotation);
        registry.bind("recoveryService", new RecoveryService(vault.accounts(), rotation));
        registry.bind("accountQueries", new AccountQueries(vault.accounts(), vault.targets()));
        registry.bind("failureResults", new FailureResults(new RotorMetrics()));
        registry.bind("tallies", new io.rotor.workflow.Tallies());
        registry.bind("rotationDue", new io.rotor.schedule.RotationDue(vault.accounts(), vault.policies(), java.time.ZoneOffset.UTC,
                io.rotor.domain.RotationSchedule.none(), java.time.Clock.systemUTC()));
        registry.bind("apiAuthenticator", new Authenticator(auth, vault.audit(), LoginThrottleTest.lenient()));
        registry.bind("apiInventory", new InventoryApi(vault));
        registry.bind("apiAccounts", new AccountApi(vault));
        io.rotor.workflow.WorkflowBeans.bind(registry, vault, rotation, dataDir);

        adminToken = token("admin-1", Role.ADMIN);
        operatorToken = token("operator-1", Role.OPERATOR);
        auditorToken = token("auditor-1", Role.AUDITOR);

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        for (String id : List.of("acct-1", "acct-2")) {
            vault.accounts().upsertAccount(id, "fleet", id, CredentialType.PASSWORD, null);
            target.passwords.put(id, INITIAL);
            rotation.set(id, Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
        }
    }

    private String token(String name, Role role) {
        String token = Credentials.newToken();
        auth.createToken(name, role, Credentials.tokenHash(token), "test");
        return token;
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
        try {
            Files.deleteIfExists(config);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        return call(method, path, authorization, body, "application/json");
    }

    private HttpResponse<String> call(String method, String path, String authorization, String body, String contentType)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (contentType != null && (body != null || !method.equals("GET"))) { // state-changing requests must be JSON
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String... messageParts) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = json(response);
        assertThat(error.get("code").asText()).isEqualTo(code);
        for (String part : messageParts) {
            assertThat(error.get("message").asText()).contains(part);
        }
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private String current(String accountId) {
        try (StoredCredential c = vault.credentials().read(accountId, Slot.CURRENT).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    /** Everything a refused request must leave as it was: inventory, credentials, checkouts, non-login audit. */
    private String state() {
        StringBuilder s = new StringBuilder();
        s.append(vault.policies().listPolicies()).append('\n').append(vault.targets().listTargets()).append('\n');
        for (Account a : vault.accounts().listAccounts(null)) {
            s.append(a).append(' ');
            for (Slot slot : Slot.values()) {
                vault.credentials().read(a.id(), slot).ifPresent(c -> {
                    try (StoredCredential credential = c) {
                        s.append(slot).append('=').append(credential.version()).append(':')
                                .append(credential.secret().reveal().hashCode()).append(' ');
                    }
                });
            }
            s.append('\n');
        }
        s.append(vault.accounts().checkouts()).append('\n');
        vault.audit().trail(null, 10_000).stream().filter(a -> !a.operation().startsWith("API_"))
                .forEach(a -> s.append(a.operation()).append(' ').append(a.accountId()).append('\n'));
        s.append(target.passwords);
        return s.toString();
    }

    private long audited(String operation, String outcome) {
        return vault.audit().trail(null, 10_000).stream()
                .filter(a -> a.operation().equals(operation) && a.outcome().equals(outcome)).count();
    }

    // ---------------------------------------------------------------- authentication

    @Test
    void everyEndpointExceptTheOpenApiDocumentRefusesARequestWithoutCredentials() throws Exception {
        List<String[]> endpoints = new ArrayList<>();
        for (RestDefinition rest : context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String path = ApiRoutes.CONTEXT_PATH + rest.getPath() + (verb.getPath() == null ? "" : verb.getPath());
                endpoints.add(new String[]{verb.asVerb().toUpperCase(Locale.ROOT), path.replaceAll("\\{[A-Za-z]+}", "acct-1")});
            }
        }
        assertThat(endpoints).as("targets, policies, accounts (5 each), 6 operations, audit, 3 workflows, 5 job endpoints,"
                + " 2 schema endpoints, drift and its repair, enable, cluster").hasSize(36);
        String before = state();

        for (String[] endpoint : endpoints) {
            String body = endpoint[0].equals("POST") || endpoint[0].equals("PUT")
                    ? "{\"id\": \"acct-1\", \"generate\": true}" : null;
            for (String authorization : new String[]{null, "Bearer " + Credentials.newToken(), "Basic bm9ib2R5Om5vcGU="}) {
                HttpResponse<String> response = call(endpoint[0], endpoint[1], authorization, body);
                assertError(response, 401, "UNAUTHENTICATED");
                assertThat(response.headers().firstValue("WWW-Authenticate")).as(endpoint[1]).hasValue("Basic realm=\"rotor\", Bearer");
            }
        }

        assertThat(state()).isEqualTo(before);
        assertThat(audited("API_LOGIN", "FAILED")).isEqualTo(endpoints.size() * 3L);
        assertThat(audited("API_LOGIN", "SUCCEEDED")).isZero();
    }

    @Test
    void theOpenApiDocumentIsPublicAndDescribesTheApi() throws Exception {
        HttpResponse<String> response = call("GET", "/api/v1/openapi.json", null, null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        assertThat(doc.get("paths").has("/accounts/{id}/rotate")).isTrue();
        assertThat(doc.get("paths").has("/targets/{id}")).isTrue();
        assertThat(doc.get("paths").has("/audit")).isTrue();
    }

    @Test
    void eachRoleGetsWhatItMayAndIsRefusedTheRestWith403() throws Exception {
        String policy = "{\"id\": \"p-%s\", \"minLength\": 20}";
        // {role token, method, path, body, expected status}
        Object[][] cases = {
                {auditorToken, "GET", "/api/v1/targets", null, 200},
                {auditorToken, "GET", "/api/v1/accounts/acct-1", null, 200},
                {auditorToken, "GET", "/api/v1/audit", null, 200},
                {auditorToken, "POST", "/api/v1/policies", policy.formatted("a"), 403},
                {auditorToken, "POST", "/api/v1/accounts/acct-1/rotate", null, 403},
                {auditorToken, "POST", "/api/v1/accounts/acct-1/verify", null, 403},
                {auditorToken, "POST", "/api/v1/accounts/acct-1/set", "{\"generate\": true}", 403},
                {auditorToken, "POST", "/api/v1/accounts/acct-1/checkout", null, 403},
                {auditorToken, "POST", "/api/v1/accounts/acct-1/checkin", null, 403},
                {auditorToken, "DELETE", "/api/v1/accounts/acct-2", null, 403},
                {operatorToken, "GET", "/api/v1/policies", null, 200},
                {operatorToken, "GET", "/api/v1/audit", null, 403},
                {operatorToken, "POST", "/api/v1/policies", policy.formatted("o"), 403},
                {operatorToken, "PUT", "/api/v1/targets/fleet", "{\"type\": \"fake\", \"host\": \"elsewhere\"}", 403},
                {operatorToken, "DELETE", "/api/v1/accounts/acct-2", null, 403},
                {operatorToken, "POST", "/api/v1/accounts/acct-1/verify", null, 200},
                {adminToken, "GET", "/api/v1/audit?limit=5", null, 200},
                {adminToken, "POST", "/api/v1/policies", policy.formatted("admin"), 201},
        };
        for (Object[] c : cases) {
            String before = state();
            HttpResponse<String> response = call((String) c[1], (String) c[2], bearer((String) c[0]), (String) c[3]);
            assertThat(response.statusCode()).as(c[1] + " " + c[2] + " -> " + response.body()).isEqualTo((int) c[4]);
            if ((int) c[4] == 403) {
                assertError(response, 403, "FORBIDDEN");
                assertThat(state()).as("a refused request changes nothing").isEqualTo(before);
            }
        }
        assertThat(vault.policies().findPolicy("p-admin")).isPresent();
        assertThat(vault.policies().findPolicy("p-a")).isEmpty();
        assertThat(vault.policies().findPolicy("p-o")).isEmpty();
        assertThat(audited("API_DENIED", "DENIED")).as("one per 403 above").isEqualTo(11);
    }

    @Test
    void aServiceAccountUsesHttpBasicAndItsRole() throws Exception {
        auth.createServiceAccount("seed-script", Role.OPERATOR, Credentials.hashPassword(SA_PASSWORD.toCharArray()), "test");
        String basic = "Basic " + Base64.getEncoder().encodeToString(("seed-script:" + SA_PASSWORD).getBytes(StandardCharsets.UTF_8));
        String wrong = "Basic " + Base64.getEncoder().encodeToString(("seed-script:" + SA_PASSWORD + "!").getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> rotated = call("POST", "/api/v1/accounts/acct-1/rotate", basic, null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        assertError(call("POST", "/api/v1/accounts/acct-1/rotate", wrong, null), 401, "UNAUTHENTICATED");
        assertError(call("POST", "/api/v1/targets", basic, "{\"id\": \"t2\", \"type\": \"fake\", \"host\": \"h\"}"), 403, "FORBIDDEN");

        assertThat(vault.audit().trail("acct-1", 100)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("ROTATE");
            assertThat(a.actor()).isEqualTo("api:service-account:seed-script");
        });
        assertThat(vault.audit().trail(null, 1000)).allSatisfy(a -> assertThat(String.valueOf(a.detail())).doesNotContain(SA_PASSWORD));
    }

    @Test
    void noRequestHeaderIsEchoedInTheAnswer() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/accounts/acct-1?accountId=x&actor=y"))
                .header("Authorization", bearer(operatorToken)).header("X-Probe", "probe-value").GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("id").asText()).isEqualTo("acct-1");
        assertThat(response.headers().map().keySet()).map(k -> k.toLowerCase(Locale.ROOT))
                .doesNotContain("authorization", "x-probe", "id", "actor", "accountid");
        assertThat(response.headers().map().toString()).doesNotContain(operatorToken);

        // a query parameter named like the path parameter does not pick another account: it is refused
        assertError(call("POST", "/api/v1/accounts/acct-1/rotate?id=acct-2", bearer(operatorToken), null), 400, "INVALID_PARAMETER");
        assertThat(current("acct-1")).isEqualTo(INITIAL);
        assertThat(current("acct-2")).isEqualTo(INITIAL);
    }

    // ---------------------------------------------------------------- operations

    @Test
    void rotateThroughTheApiChangesThePasswordOnTheTarget() throws Exception {
        // Camel inlines the API's direct: route into its REST route, which keeps the direct route's id
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("api-rotate-account").wereSentTo("direct:rotate-account")
                .whenCompleted(1).create();

        HttpResponse<String> response = call("POST", "/api/v1/accounts/acct-1/rotate", bearer(operatorToken), null);

        assertThat(done.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode result = json(response);
        assertThat(result.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(result.get("success").asBoolean()).isTrue();
        assertThat(result.has("code")).as("a success is not an error").isFalse();
        assertThat(result.get("status").asText()).isEqualTo("IN_SYNC");
        String now = current("acct-1");
        assertThat(now).isNotEqualTo(INITIAL).isEqualTo(target.passwords.get("acct-1"));
        assertThat(response.body()).doesNotContain(now);
        assertThat(vault.audit().trail("acct-1", 100)).anySatisfy(a -> assertThat(a.actor()).isEqualTo("api:token:operator-1"));
    }

    @Test
    void operationStatusesFollowTheMapping() throws Exception {
        assertError(call("POST", "/api/v1/accounts/ghost/rotate", bearer(operatorToken), null), 404, "NOT_FOUND", "unknown account id 'ghost'");
        assertError(call("POST", "/api/v1/accounts/bad%20id/rotate", bearer(operatorToken), null), 400, "INVALID_PARAMETER", "parameter 'id'");

        AccountLock lock = vault.accounts().tryLock("acct-1", Duration.ofMinutes(1)).orElseThrow();
        try {
            HttpResponse<String> busy = call("POST", "/api/v1/accounts/acct-1/rotate", bearer(operatorToken), null);
            assertError(busy, 409, "BUSY", "another operation holds account 'acct-1'");
            assertThat(json(busy).get("outcome").asText()).isEqualTo("BUSY");
            assertThat(json(busy).get("success").asBoolean()).isFalse();
        } finally {
            vault.accounts().unlock(lock);
        }

        target.rejectNextChanges = 3;
        HttpResponse<String> rejected = call("POST", "/api/v1/accounts/acct-1/rotate", bearer(operatorToken), null);
        assertThat(rejected.statusCode()).isEqualTo(422);
        assertThat(json(rejected).get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(current("acct-1")).isEqualTo(INITIAL);

        target.passwords.put("acct-2", "changed-behind-rotors-back");
        HttpResponse<String> outOfSync = call("POST", "/api/v1/accounts/acct-2/verify", bearer(operatorToken), null);
        assertThat(outOfSync.statusCode()).isEqualTo(409);
        assertThat(json(outOfSync).get("outcome").asText()).isEqualTo("OUT_OF_SYNC");

        HttpResponse<String> noAdmin = call("POST", "/api/v1/accounts/acct-1/reconcile", bearer(operatorToken), null);
        assertThat(noAdmin.statusCode()).isEqualTo(422);
        assertThat(json(noAdmin).get("outcome").asText()).isEqualTo("FAILED");
        assertThat(json(noAdmin).get("detail").asText()).contains("no admin account");
    }

    @Test
    void setStoresAGivenValueWithoutEverShowingIt() throws Exception {
        String value = "Typed-by-0perator \"quoted\" ;";
        HttpResponse<String> response = call("POST", "/api/v1/accounts/acct-1/set", bearer(operatorToken),
                JSON.writeValueAsString(Map.of("value", value, "vaultOnly", true)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).get("status").asText()).isEqualTo("UNVERIFIED");
        assertThat(response.body()).doesNotContain(value);
        assertThat(current("acct-1")).isEqualTo(value);
        assertThat(target.passwords.get("acct-1")).as("vault only").isEqualTo(INITIAL);
        assertThat(vault.audit().trail(null, 1000)).allSatisfy(a -> assertThat(String.valueOf(a.detail())).doesNotContain(value));

        HttpResponse<String> generated = call("POST", "/api/v1/accounts/acct-2/set", bearer(operatorToken),
                "{\"generate\": true, \"vaultOnly\": false}");
        assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
        assertThat(current("acct-2")).isNotEqualTo(INITIAL).isEqualTo(target.passwords.get("acct-2"));
    }

    @Test
    void aBadSetBodyIsRefusedAndChangesNothing() throws Exception {
        String before = state();

        assertError(call("POST", "/api/v1/accounts/acct-1/set", bearer(operatorToken), "{\"value\": \"line\\nbreak\", \"vaultOnly\": true}"),
                400, "INVALID_FIELD", "field 'value'", "LF");
        assertError(call("POST", "/api/v1/accounts/acct-1/set", bearer(operatorToken), "{\"value\": \"x\", \"vaultonly\": true}"),
                400, "UNKNOWN_FIELD", "field 'vaultonly'");
        assertError(call("POST", "/api/v1/accounts/acct-1/set", bearer(operatorToken), "{\"value\": \"x\", "),
                400, "MALFORMED_JSON");
        assertError(call("POST", "/api/v1/accounts/acct-1/set", bearer(operatorToken), "value=x", "application/x-www-form-urlencoded"),
                415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(call("POST", "/api/v1/accounts/ghost/set", bearer(operatorToken), "{\"generate\": true}"),
                404, "NOT_FOUND");

        assertThat(state()).isEqualTo(before);
    }

    @Test
    void checkoutGivesTheHolderTheSecretAndCheckinRotatesIt() throws Exception {
        auth.createToken("operator-2", Role.OPERATOR, Credentials.tokenHash("other-operator-token-0123456789abcdef"), "test");
        String other = bearer("other-operator-token-0123456789abcdef");

        HttpResponse<String> out = call("POST", "/api/v1/accounts/acct-1/checkout", bearer(operatorToken), null);
        assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
        JsonNode checkout = json(out);
        assertThat(checkout.get("value").asText()).isEqualTo(INITIAL).isEqualTo(current("acct-1"));
        assertThat(checkout.get("checkedOutBy").asText()).isEqualTo("api:token:operator-1");
        assertThat(vault.accounts().checkedOutBy("acct-1")).hasValue("api:token:operator-1");
        assertThat(vault.audit().trail("acct-1", 100)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("REVEAL");
            assertThat(a.actor()).isEqualTo("api:token:operator-1");
            assertThat(String.valueOf(a.detail())).doesNotContain(INITIAL);
        });
        HttpResponse<String> account = call("GET", "/api/v1/accounts/acct-1", bearer(auditorToken), null);
        assertThat(json(account).get("checkedOutBy").asText()).isEqualTo("api:token:operator-1");
        assertThat(account.body()).doesNotContain(INITIAL);

        // exclusive: nobody else checks it out, changes it or checks it in; the holder may verify
        String held = state();
        assertError(call("POST", "/api/v1/accounts/acct-1/checkout", other, null), 409, "CHECKED_OUT", "api:token:operator-1");
        assertError(call("POST", "/api/v1/accounts/acct-1/rotate", other, null), 409, "CHECKED_OUT");
        assertError(call("POST", "/api/v1/accounts/acct-1/set", other, "{\"generate\": true}"), 409, "CHECKED_OUT");
        assertError(call("POST", "/api/v1/accounts/acct-1/checkin", other, null), 409, "CHECKED_OUT");
        assertError(call("DELETE", "/api/v1/accounts/acct-1", bearer(adminToken), null), 409, "CHECKED_OUT");
        assertThat(state()).isEqualTo(held);

        HttpResponse<String> in = call("POST", "/api/v1/accounts/acct-1/checkin", bearer(operatorToken), null);
        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        assertThat(json(in).get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(vault.accounts().checkedOutBy("acct-1")).isEmpty();
        assertThat(current("acct-1")).as("rotated after checkin").isNotEqualTo(INITIAL).isEqualTo(target.passwords.get("acct-1"));
        assertError(call("POST", "/api/v1/accounts/acct-1/checkin", bearer(operatorToken), null), 409, "NOT_CHECKED_OUT");
    }

    @Test
    void anAdminMayCheckInWhatSomeoneElseHolds() throws Exception {
        assertThat(call("POST", "/api/v1/accounts/acct-2/checkout", bearer(operatorToken), null).statusCode()).isEqualTo(200);

        HttpResponse<String> in = call("POST", "/api/v1/accounts/acct-2/checkin", bearer(adminToken), null);

        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        assertThat(vault.accounts().checkedOutBy("acct-2")).isEmpty();
        assertThat(current("acct-2")).isNotEqualTo(INITIAL);
    }

    // ---------------------------------------------------------------- inventory

    @Test
    void inventoryCrudThroughTheApi() throws Exception {
        String admin = bearer(adminToken);
        HttpResponse<String> policy = call("POST", "/api/v1/policies", admin, "{\"id\": \"db\", \"minLength\": 30, \"maxLength\": 40}");
        assertThat(policy.statusCode()).as(policy.body()).isEqualTo(201);
        assertThat(json(policy).get("minSymbol").asInt()).as("defaults as in the file").isEqualTo(1);

        HttpResponse<String> created = call("POST", "/api/v1/targets", admin,
                "{\"id\": \"pg\", \"type\": \"postgresql\", \"host\": \"db.example\", \"database\": \"app\", \"policy\": \"db\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("port").asInt()).as("default port of the type").isEqualTo(5432);
        HttpResponse<String> account = call("POST", "/api/v1/accounts", admin,
                "{\"id\": \"pg-app\", \"target\": \"pg\", \"username\": \"app_user\"}");
        assertThat(account.statusCode()).as(account.body()).isEqualTo(201);
        assertThat(json(account).get("status").asText()).isEqualTo("UNVERIFIED");

        HttpResponse<String> updated = call("PUT", "/api/v1/targets/pg", admin,
                "{\"type\": \"postgresql\", \"host\": \"db2.example\", \"port\": 6432, \"policy\": \"db\", \"adminAccount\": \"pg-app\"}");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(vault.targets().findTarget("pg").orElseThrow().host()).isEqualTo("db2.example");
        assertThat(vault.targets().findTarget("pg").orElseThrow().adminAccountId()).isEqualTo("pg-app");

        JsonNode list = json(call("GET", "/api/v1/accounts?target=pg", bearer(auditorToken), null));
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("username").asText()).isEqualTo("app_user");

        // referential checks: each refusal changes nothing
        String before = state();
        assertError(call("DELETE", "/api/v1/targets/pg", admin, null), 409, "IN_USE", "1 account(s)");
        assertError(call("DELETE", "/api/v1/accounts/pg-app", admin, null), 409, "IN_USE", "admin account");
        assertError(call("DELETE", "/api/v1/policies/db", admin, null), 409, "IN_USE");
        assertThat(state()).isEqualTo(before);

        // PUT replaces the whole target: without policy and adminAccount it names neither
        assertThat(call("PUT", "/api/v1/targets/pg", admin, "{\"type\": \"postgresql\", \"host\": \"db2.example\"}").statusCode()).isEqualTo(200);
        assertThat(vault.targets().findTarget("pg").orElseThrow().policyId()).isNull();
        assertThat(call("DELETE", "/api/v1/accounts/pg-app", admin, null).statusCode()).isEqualTo(204);
        assertThat(call("DELETE", "/api/v1/targets/pg", admin, null).statusCode()).isEqualTo(204);
        assertThat(call("DELETE", "/api/v1/policies/db", admin, null).statusCode()).isEqualTo(204);
        assertThat(vault.targets().findTarget("pg")).isEmpty();
        assertThat(vault.accounts().findAccount("pg-app")).isEmpty();
        assertError(call("GET", "/api/v1/targets/pg", admin, null), 404, "NOT_FOUND", "unknown target id 'pg'");
        assertThat(vault.audit().trail(null, 1000)).extracting(AuditRecord::operation)
                .contains("POLICY_CREATE", "TARGET_CREATE", "ACCOUNT_CREATE", "TARGET_UPDATE", "ACCOUNT_DELETE", "TARGET_DELETE", "POLICY_DELETE");
    }

    @Test
    void theApiRefusesWhatTheInventoryFileRefusesWithTheSameMessages() throws Exception {
        String admin = bearer(adminToken);
        String before = state();

        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"t\", \"type\": \"fake\", \"host\": \"h\", \"port\": 70000}"),
                400, "INVALID_FIELD", "field 'port': must be between 1 and 65535");
        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"t\", \"type\": \"fake\", \"host\": \"h\", \"colour\": \"red\"}"),
                400, "UNKNOWN_FIELD", "field 'colour': unknown field");
        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"t\", \"type\": \"fake\", \"host\": \"h\", \"password\": \"x\"}"),
                400, "INVALID_FIELD", "field 'password': secrets must not be written");
        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"t\", \"type\": \"fake\", \"host\": \"h\", \"policy\": \"nope\"}"),
                400, "INVALID_FIELD", "field 'policy': unknown policy 'nope'");
        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"bad id\", \"type\": \"fake\", \"host\": \"h\"}"),
                400, "INVALID_FIELD", "field 'id': must match");
        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"fleet\", \"type\": \"fake\", \"host\": \"h\"}"),
                409, "ALREADY_EXISTS", "field 'id'");
        assertError(call("POST", "/api/v1/accounts", admin, "{\"id\": \"a9\", \"target\": \"fleet\", \"username\": \"x'; DROP ROLE y\"}"),
                400, "INVALID_FIELD", "field 'username': username must not contain a quote");
        assertError(call("POST", "/api/v1/accounts", admin, "{\"id\": \"a9\", \"target\": \"nowhere\", \"username\": \"u\"}"),
                400, "INVALID_FIELD", "field 'target': unknown target 'nowhere'");
        assertError(call("POST", "/api/v1/accounts", admin, "{\"id\": \"a9\", \"target\": \"fleet\", \"username\": \"acct-1\"}"),
                409, "ALREADY_EXISTS", "field 'username'", "acct-1");
        assertError(call("POST", "/api/v1/accounts", admin, "{\"id\": \"a9\", \"target\": \"fleet\", \"username\": \"u\", \"initialSecretEnv\": \"X\"}"),
                400, "UNKNOWN_FIELD", "field 'initialSecretEnv'");
        assertError(call("PUT", "/api/v1/accounts/acct-1", admin, "{\"target\": \"fleet\", \"username\": \"renamed\"}"),
                400, "INVALID_FIELD", "field 'username': cannot be changed");
        assertError(call("PUT", "/api/v1/accounts/acct-1", admin, "{\"id\": \"acct-2\", \"target\": \"fleet\", \"username\": \"acct-1\"}"),
                400, "INVALID_FIELD", "field 'id': must be the id in the path");
        assertError(call("PUT", "/api/v1/targets/nowhere", admin, "{\"type\": \"fake\", \"host\": \"h\"}"), 404, "NOT_FOUND");
        assertError(call("POST", "/api/v1/policies", admin, "{\"id\": \"p\", \"minLength\": 10, \"maxLength\": 5}"),
                400, "INVALID_FIELD", "field 'maxLength': maxLength 5 is below minLength 10");
        assertError(call("POST", "/api/v1/policies", admin, "{\"id\": \"p\", \"minLength\": \"ten\"}"),
                400, "INVALID_FIELD", "field 'minLength': must be a whole number");

        assertThat(state()).isEqualTo(before);
    }

    /** The part of an inventory problem line after "file: targets[0] (id=pg): ", which the API's message must equal. */
    private static String inventoryProblem(String targetYaml) {
        try {
            io.rotor.config.InventoryLoader.parse("inventory.yaml", "targets:\n  - " + targetYaml + "\n");
        } catch (io.rotor.config.InventoryException e) {
            assertThat(e.problems()).hasSize(1);
            String prefix = "inventory.yaml: targets[0] (id=pg): ";
            assertThat(e.problems().get(0)).startsWith(prefix);
            return e.problems().get(0).substring(prefix.length());
        }
        throw new AssertionError(targetYaml + " was accepted");
    }

    @Test
    void aMisspeltOrMistypedSettingIsRefusedWithTheInventorysMessageAndNothingIsStored() throws Exception {
        String admin = bearer(adminToken);
        String before = state();

        String misspelt = inventoryProblem("{id: pg, type: postgresql, host: db.example, settings: {sslrotcert: /etc/ca.pem}}");
        assertThat(misspelt).isEqualTo("unknown setting 'sslrotcert' for type postgresql (did you mean 'sslrootcert'?)");
        HttpResponse<String> refused = call("POST", "/api/v1/targets", admin, "{\"id\": \"pg\", \"type\": \"postgresql\","
                + " \"host\": \"db.example\", \"settings\": {\"sslrotcert\": \"/etc/ca.pem\"}}");
        assertError(refused, 400, "UNKNOWN_FIELD");
        assertThat(json(refused).get("message").asText()).isEqualTo(misspelt);

        String mistyped = inventoryProblem("{id: pg, type: postgresql, host: db.example, settings: {maxPoolSize: \"x\"}}");
        assertThat(mistyped).isEqualTo("setting 'maxPoolSize' must be a whole number");
        refused = call("POST", "/api/v1/targets", admin, "{\"id\": \"pg\", \"type\": \"postgresql\", \"host\": \"db.example\","
                + " \"settings\": {\"maxPoolSize\": \"x\"}}");
        assertError(refused, 400, "INVALID_FIELD");
        assertThat(json(refused).get("message").asText()).isEqualTo(mistyped);

        // a PUT over an existing target is refused alike and leaves it as it was
        refused = call("PUT", "/api/v1/targets/fleet", admin, "{\"type\": \"postgresql\", \"host\": \"db.example\","
                + " \"settings\": {\"sslrotcert\": \"/etc/ca.pem\"}}");
        assertError(refused, 400, "UNKNOWN_FIELD", misspelt);
        assertThat(vault.targets().findTarget("pg")).isEmpty();
        assertThat(state()).isEqualTo(before);

        // typed or as strings, valid settings are stored as strings
        HttpResponse<String> created = call("POST", "/api/v1/targets", admin, "{\"id\": \"pg\", \"type\": \"PostgreSQL\","
                + " \"host\": \"db.example\", \"tls\": \"VERIFY-FULL\", \"settings\": {\"maxPoolSize\": 5,"
                + " \"sslrootcert\": \"/etc/ca.pem\"}}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Target stored = vault.targets().findTarget("pg").orElseThrow();
        assertThat(stored.type()).isEqualTo("postgresql");
        assertThat(stored.tlsMode()).isEqualTo(TlsMode.VERIFY_FULL);
        assertThat(stored.settings()).isEqualTo(Map.of("maxPoolSize", "5", "sslrootcert", "/etc/ca.pem"));
    }

    @Test
    void theSchemasAreServedToEveryRole() throws Exception {
        for (String token : new String[]{adminToken, operatorToken, auditorToken}) {
            HttpResponse<String> list = call("GET", "/api/v1/schemas", bearer(token), null);
            assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            json(list).forEach(s -> {
                names.add(s.get("name").asText());
                assertThat(s.get("title").asText()).isNotBlank();
            });
            assertThat(names).contains("target", "account", "policy", "user", "group", "template", "changer",
                    "workflow-request", "connector-postgresql", "connector-ssh", "connector-vault");
        }
        JsonNode pg = json(call("GET", "/api/v1/schemas/connector-postgresql", bearer(auditorToken), null));
        assertThat(pg.get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(pg.get("properties").get("maxPoolSize").get("type").asText()).isEqualTo("integer");
        assertThat(pg.get("properties").get("maxPoolSize").get("default").asInt()).isEqualTo(4);
        JsonNode target = json(call("GET", "/api/v1/schemas/target", bearer(operatorToken), null));
        assertThat(target.get("required").toString()).isEqualTo("[\"id\",\"type\",\"host\"]");
        assertThat(target.toString()).doesNotContain("$ref");

        assertError(call("GET", "/api/v1/schemas/nope", bearer(auditorToken), null), 404, "NOT_FOUND", "unknown schema 'nope'");
        assertError(call("GET", "/api/v1/schemas/bad%20name", bearer(auditorToken), null), 400, "INVALID_PARAMETER");
        assertError(call("GET", "/api/v1/schemas", null, null), 401, "UNAUTHENTICATED");
    }

    @Test
    void aPolicysRotationScheduleIsWrittenAndReadThroughTheApi() throws Exception {
        String admin = bearer(adminToken);
        HttpResponse<String> created = call("POST", "/api/v1/policies", admin, """
                {"id": "nightly", "minLength": 24, "rotation": {"cron": "0 0 2 * * ?", "window": "01:00-05:00"}}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("rotation").get("cron").asText()).isEqualTo("0 0 2 * * ?");
        assertThat(vault.policies().rotationSchedules().get("nightly").window()).isEqualTo("01:00-05:00");

        HttpResponse<String> replaced = call("PUT", "/api/v1/policies/nightly", admin, """
                {"minLength": 24, "rotation": {"interval": "P30D"}}""");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        JsonNode read = json(call("GET", "/api/v1/policies/nightly", bearer(auditorToken), null));
        assertThat(read.get("rotation").get("interval").asText()).isEqualTo("PT720H");
        assertThat(read.get("rotation").has("cron")).isFalse();
        assertThat(vault.policies().rotationSchedules().get("nightly").interval()).isEqualTo(Duration.ofDays(30));

        String before = state();
        assertError(call("PUT", "/api/v1/policies/nightly", admin, """
                {"minLength": 24, "rotation": {"interval": "P30D", "cron": "0 0 2 * * ?"}}"""), 400, "INVALID_FIELD", "rotation");
        assertError(call("POST", "/api/v1/policies", admin, """
                {"id": "p2", "rotation": {"window": "25:00-26:00", "interval": "P1D"}}"""), 400, "INVALID_FIELD", "rotation.window");
        assertThat(state()).isEqualTo(before);
        assertThat(vault.policies().rotationSchedules().get("nightly").interval()).isEqualTo(Duration.ofDays(30));

        assertThat(call("PUT", "/api/v1/policies/nightly", admin, "{\"minLength\": 24}").statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/api/v1/policies/nightly", admin, null)).has("rotation")).as("PUT replaces: no schedule").isFalse();
    }

    @Test
    void deletingAnAccountWithAPendingCredentialIsRefused() throws Exception {
        AccountLock lock = vault.accounts().tryLock("acct-2", Duration.ofMinutes(1)).orElseThrow();
        vault.credentials().writePending(lock, "r-1", Secret.fromUtf8("pending-Passw0rd".getBytes(StandardCharsets.UTF_8)),
                AuditRecord.of("test", "PENDING_WRITTEN", "acct-2", "fleet", "r-1", "PENDING", null));
        vault.accounts().unlock(lock);
        String before = state();

        assertError(call("DELETE", "/api/v1/accounts/acct-2", bearer(adminToken), null), 409, "PENDING_CREDENTIAL", "recover it first");

        assertThat(state()).isEqualTo(before);
        assertThat(vault.credentials().has("acct-2", Slot.PENDING)).isTrue();
        assertThat(call("DELETE", "/api/v1/accounts/acct-1", bearer(adminToken), null).statusCode()).isEqualTo(204);
        assertThat(vault.accounts().findAccount("acct-1")).isEmpty();
        assertThat(vault.credentials().read("acct-1", Slot.CURRENT)).as("credentials go with the account").isEmpty();
    }

    @Test
    void theDirectoryKeepsWhatItNeeds() throws Exception {
        vault.users().ensureUserTarget("test", "people");
        vault.users().upsertUser("test", new io.rotor.domain.VaultUser("alice", "people", "alice", "Alice", false));
        vault.templates().ensureVaultTarget("test", "vault");
        vault.accounts().upsertAccount("v-acct-1", "vault", "acct-1", CredentialType.PASSWORD, null);
        vault.attributes().setAttribute("test", "v-acct-1", "link", List.of("acct-1"));
        String before = state();

        assertError(call("DELETE", "/api/v1/targets/people", bearer(adminToken), null), 409, "IN_USE", "vault user(s)");
        assertError(call("DELETE", "/api/v1/accounts/acct-1", bearer(adminToken), null), 409, "IN_USE", "named in an attribute");

        assertThat(state()).isEqualTo(before);
        assertThat(vault.users().findUser("alice")).isPresent();
        assertThat(call("DELETE", "/api/v1/accounts/v-acct-1", bearer(adminToken), null).statusCode())
                .as("the vault account itself may go, its attributes with it").isEqualTo(204);
        assertThat(call("DELETE", "/api/v1/accounts/acct-1", bearer(adminToken), null).statusCode()).isEqualTo(204);
    }

    // ---------------------------------------------------------------- bad requests

    @Test
    void malformedJsonAWrongContentTypeAndAHugeBodyAreRefusedAndChangeNothing() throws Exception {
        String admin = bearer(adminToken);
        String before = state();

        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"t\", \"type\": "), 400, "MALFORMED_JSON", "line 1");
        assertError(call("POST", "/api/v1/targets", admin, "[1, 2]"), 400, "MALFORMED_JSON");
        assertError(call("POST", "/api/v1/targets", admin, "{\"id\": \"t\", \"id\": \"u\", \"type\": \"fake\", \"host\": \"h\"}"),
                400, "MALFORMED_JSON", "field 'id' appears more than once");
        assertError(call("POST", "/api/v1/targets", admin, "id=t&type=fake", "application/x-www-form-urlencoded"),
                415, "UNSUPPORTED_MEDIA_TYPE");
        String huge = "{\"id\": \"t\", \"type\": \"fake\", \"host\": \"" + "h".repeat(10 * 1024 * 1024) + "\"}";
        assertError(call("POST", "/api/v1/targets", admin, huge), 413, "BODY_TOO_LARGE");
        assertError(call("POST", "/api/v1/accounts/acct-1/set", admin, "{\"value\": \"" + "v".repeat(10 * 1024 * 1024) + "\"}"),
                413, "BODY_TOO_LARGE");
        assertError(call("GET", "/api/v1/no-such-thing", admin, null), 404, "NOT_FOUND");

        assertThat(state()).isEqualTo(before);
        assertThat(vault.targets().findTarget("t")).isEmpty();
    }

    @Test
    void theAuditTrailIsFilteredAndLimited() throws Exception {
        call("POST", "/api/v1/accounts/acct-1/rotate", bearer(operatorToken), null);
        call("POST", "/api/v1/accounts/acct-2/verify", bearer(operatorToken), null);

        JsonNode acct1 = json(call("GET", "/api/v1/audit?account=acct-1&limit=1000", bearer(auditorToken), null));
        assertThat(acct1.size()).isGreaterThan(1);
        acct1.forEach(a -> assertThat(a.get("accountId").asText()).isEqualTo("acct-1"));
        assertThat(acct1.get(0).get("operation").asText()).as("newest first").isEqualTo("ROTATE");

        assertThat(json(call("GET", "/api/v1/audit?limit=3", bearer(adminToken), null))).hasSize(3);
        assertError(call("GET", "/api/v1/audit?limit=0", bearer(adminToken), null), 400, "INVALID_PARAMETER", "parameter 'limit'");
        assertError(call("GET", "/api/v1/audit?limit=5000", bearer(adminToken), null), 400, "INVALID_PARAMETER");
        assertError(call("GET", "/api/v1/audit?account=a%0Ab", bearer(adminToken), null), 400, "INVALID_PARAMETER", "parameter 'account'");
        assertThat(vault.audit().trail(null, 10_000)).allSatisfy(a -> assertThat(String.valueOf(a.detail()))
                .doesNotContain(current("acct-1")).doesNotContain(operatorToken));
    }

    @Test
    void theVaultStaysUnverifiedUntilAVerifyThroughTheApi() throws Exception {
        call("POST", "/api/v1/accounts/acct-1/set", bearer(operatorToken), "{\"value\": \"" + INITIAL + "\", \"vaultOnly\": true}");
        assertThat(vault.accounts().findAccount("acct-1").orElseThrow().status()).isEqualTo(AccountStatus.UNVERIFIED);

        HttpResponse<String> verify = call("POST", "/api/v1/accounts/acct-1/verify", bearer(operatorToken), null);

        assertThat(verify.statusCode()).isEqualTo(200);
        assertThat(vault.accounts().findAccount("acct-1").orElseThrow().status()).isEqualTo(AccountStatus.IN_SYNC);
    }
}
