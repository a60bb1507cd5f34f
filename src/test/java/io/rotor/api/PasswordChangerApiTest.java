package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.ssh.BuiltinChangers;
import io.rotor.connector.ssh.ChangerCatalog;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.AccountQueries;
import io.rotor.workflow.FailureResults;
import io.rotor.workflow.FakeTarget;
import io.rotor.workflow.RecoveryService;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.apache.camel.main.MainConfigurationProperties;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /api/v2} (Fudo-shaped password changers) as Camel Main runs it, over HTTP, with the seed's curl request
 * bodies verbatim (src/test/resources/fudo/) and the seed's bare-token {@code Authorization} header.
 */
class PasswordChangerApiTest extends CamelMainTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INITIAL = "initial-Passw0rd";

    private final int port = freePort();
    private final Path config = configOnPort(port);
    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeTarget target = new FakeTarget();
    private Path dataDir;
    private Vault vault;
    private String adminToken;
    private String operatorToken;
    private String auditorToken;

    private static int freePort() {
        return io.rotor.it.TestPorts.free();
    }

    private static Path configOnPort(int port) {
        try {
            String shipped = Files.readString(Path.of("config", "application.properties"));
            String adjusted = shipped.replaceFirst("(?m)^camel\\.server\\.port\\s*=.*$", "camel.server.port = " + port);
            Path file = Files.createTempFile("rotor-api2-test-", ".properties");
            Files.writeString(file, adjusted);
            return file;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.camel.yaml");
        configuration.addRoutesBuilder(new ApiRoutes());
        configuration.addRoutesBuilder(new ApiV2Routes());
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
        dataDir = Files.createTempDirectory("rotor-api2-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        AuthStore auth = new AuthStore(vault.tokens());
        ConnectorRegistry connectors = new ConnectorRegistry();
        connectors.register(target);
        RotationService rotation = new RotationService(vault, connectors, new PasswordGenerator(), new RotorMetrics(),
                Duration.ofMinutes(5), 3);
        ChangerCatalog catalog = new ChangerCatalog(vault.changers());
        connectors.attach(new ConnectorContext(catalog));   // user-defined changers reach the connectors
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
        registry.bind("apiPasswordChangers", new PasswordChangerApi(catalog, vault.accounts(), vault.targets()));
        io.rotor.workflow.WorkflowBeans.bind(registry, vault, rotation, dataDir);

        adminToken = token(auth, "admin-1", Role.ADMIN);
        operatorToken = token(auth, "operator-1", Role.OPERATOR);
        auditorToken = token(auth, "auditor-1", Role.AUDITOR);

        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount("acct-1", "fleet", "acct-1", CredentialType.PASSWORD, null);
        target.passwords.put("acct-1", INITIAL);
        rotation.set("acct-1", Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");
    }

    private static String token(AuthStore auth, String name, Role role) {
        String token = Credentials.newToken();
        auth.createToken(name, role, Credentials.tokenHash(token), "test");
        return token;
    }

    @AfterEach
    void closeVault() throws Exception {
        if (vault != null) {
            vault.close();
        }
        io.rotor.it.TestDirs.delete(dataDir);
        Files.deleteIfExists(config);
    }

    // ---------------------------------------------------------------- helpers

    private HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null || !method.equals("GET")) { // state-changing requests must be JSON (browser safety)
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String seed(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/fudo", name + ".json")).strip();
    }

    private static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("result").asText()).isEqualTo("success");
        return json;
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String... parts) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode json = JSON.readTree(response.body());
        assertThat(json.get("result").asText()).isEqualTo("error");
        assertThat(json.get("code").asText()).isEqualTo(code);
        for (String part : parts) {
            assertThat(json.get("message").asText()).contains(part);
        }
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private String create(String body) throws Exception {
        JsonNode created = ok(call("POST", "/api/v2/password_changer", adminToken, body));
        return created.get("password_changer").get("id").asText();
    }

    private String changerState() {
        return vault.audit().trail(null, 10_000).stream().filter(a -> a.operation().startsWith("CHANGER_")).count() + " "
                + new ChangerCatalog(vault.changers()).all().stream()
                .map(e -> e.changer().toString() + e.variables()).toList();
    }

    // ---------------------------------------------------------------- CRUD with the seed's bodies

    @Test
    void theSeedsCurlExamplesWorkWithARotorTokenAsTheyAreWritten() throws Exception {
        // curl -X POST -H 'Authorization: <token>' .../api/v2/password_changer -H 'Content-Type: application/json' -d'...'
        String id = create(seed("post-password-changer"));
        assertThat(id).matches("[0-9]+");

        JsonNode one = ok(call("GET", "/api/v2/password_changer/" + id, adminToken, null)).get("password_changer");
        assertThat(one.get("id").asText()).isEqualTo(id);
        assertThat(one.get("name").asText()).isEqualTo("Password_Changer_WinRM");
        assertThat(one.get("type").asText()).isEqualTo("change");
        assertThat(one.get("transport").asText()).isEqualTo("WinRM");
        assertThat(one.get("timeout").asInt()).isEqualTo(1000);
        assertThat(one.get("builtin").asBoolean()).isFalse();
        assertThat(one.get("hidden").asBoolean()).isFalse();
        assertThat(one.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00");
        assertThat(one.get("commands")).hasSize(1);
        assertThat(one.get("commands").get(0).get("type").asText()).isEqualTo("input");
        assertThat(one.get("commands").get(0).get("value").asText())
                .isEqualTo("net user \"%%account_login%%\" \"%%account_new_secret%%\"");
        assertThat(one.get("commands").get(0).get("description").asText()).isEqualTo("Description text.");

        JsonNode patched = ok(call("PATCH", "/api/v2/password_changer/" + id, adminToken, seed("patch-basic-properties")));
        assertThat(patched.size()).isEqualTo(1);
        one = ok(call("GET", "/api/v2/password_changer/" + id, adminToken, null)).get("password_changer");
        assertThat(one.get("type").asText()).isEqualTo("verify");
        assertThat(one.get("transport").asText()).isEqualTo("SSH");
        assertThat(one.get("name").asText()).isEqualTo("Password_Changer_WinRM");

        ok(call("PATCH", "/api/v2/password_changer/" + id, adminToken, seed("patch-commands")));
        one = ok(call("GET", "/api/v2/password_changer/" + id, adminToken, null)).get("password_changer");
        assertThat(one.get("commands").get(0).get("description").asText()).isEqualTo("Description.");

        ok(call("PATCH", "/api/v2/password_changer/" + id, adminToken, seed("patch-add-variable")));
        one = ok(call("GET", "/api/v2/password_changer/" + id, adminToken, null)).get("password_changer");
        JsonNode variable = one.get("variables").get(0);
        assertThat(variable.get("name").asText()).isEqualTo("transport_bind_ip");
        assertThat(variable.get("object_type").asText()).isEqualTo("server");
        assertThat(variable.get("object_property").asText()).isEqualTo("name");
        assertThat(variable.get("value").get("value_type").asText()).isEqualTo("self");

        JsonNode list = ok(call("GET", "/api/v2/password_changer", auditorToken, null));
        List<String> names = new ArrayList<>();
        list.get("password_changer").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).contains("Password_Changer_WinRM", BuiltinChangers.UNIX_PASSWD, BuiltinChangers.UNIX_VERIFY);
        list.get("password_changer").forEach(c -> assertThat(c.has("commands")).isFalse());

        JsonNode deleted = ok(call("DELETE", "/api/v2/password_changer/" + id, adminToken, null));
        assertThat(deleted.toString()).isEqualTo("{\"result\":\"success\"}");
        assertError(call("GET", "/api/v2/password_changer/" + id, adminToken, null), 404, "NOT_FOUND", id);
        assertThat(vault.audit().trail(null, 100).stream().map(a -> a.operation()).toList())
                .contains("CHANGER_CREATE", "CHANGER_UPDATE", "CHANGER_DELETE");
    }

    @Test
    void theBuiltInsAreListedAndReadOnly() throws Exception {
        JsonNode list = ok(call("GET", "/api/v2/password_changer", "Bearer " + operatorToken, null));
        JsonNode first = list.get("password_changer").get(0);
        assertThat(first.get("builtin").asBoolean()).isTrue();
        String id = first.get("id").asText();
        JsonNode one = ok(call("GET", "/api/v2/password_changer/" + id, adminToken, null)).get("password_changer");
        assertThat(one.get("variables").get(0).get("name").asText()).isEqualTo("transport_host");
        assertThat(one.get("commands").size()).isGreaterThan(1);

        String before = changerState();
        assertError(call("PATCH", "/api/v2/password_changer/" + id, adminToken, "{\"timeout\": 5}"), 403,
                "BUILTIN_READ_ONLY", "built-in and read-only");
        assertError(call("DELETE", "/api/v2/password_changer/" + id, adminToken, null), 403, "BUILTIN_READ_ONLY");
        assertThat(changerState()).isEqualTo(before);
    }

    @Test
    void namesAreUniqueRegardlessOfCaseAlsoAgainstTheBuiltIns() throws Exception {
        create(seed("post-password-changer"));
        String before = changerState();
        assertError(call("POST", "/api/v2/password_changer", adminToken,
                        seed("post-password-changer").replace("Password_Changer_WinRM", "password_changer_winrm")),
                409, "ALREADY_EXISTS", "field 'name'", "regardless of case");
        assertError(call("POST", "/api/v2/password_changer", adminToken,
                        seed("post-password-changer").replace("Password_Changer_WinRM", "UNIX PASSWD (SELF)")),
                409, "ALREADY_EXISTS", "built-in");
        String other = create(seed("post-password-changer").replace("Password_Changer_WinRM", "Other"));
        assertError(call("PATCH", "/api/v2/password_changer/" + other, adminToken, "{\"name\": \"PASSWORD_changer_winrm\"}"),
                409, "ALREADY_EXISTS");
        // renaming to itself in another case is fine
        ok(call("PATCH", "/api/v2/password_changer/" + other, adminToken, "{\"name\": \"OTHER\"}"));
        assertThat(changerState()).isNotEqualTo(before);
    }

    @Test
    void theObjspecDescribesTheModel() throws Exception {
        JsonNode spec = ok(call("GET", "/api/v2/objspec/password_changer", auditorToken, null))
                .get("objspec").get("password_changer");
        assertThat(spec.get("type").get("values").toString()).isEqualTo("[\"change\",\"verify\"]");
        assertThat(spec.get("transport").get("values").toString()).isEqualTo("[\"LDAP\",\"SSH\",\"Telnet\",\"WinRM\"]");
        assertThat(spec.get("name").get("required").asBoolean()).isTrue();
        assertThat(spec.get("id").get("readonly").asBoolean()).isTrue();
        assertThat(spec.get("builtin").get("readonly").asBoolean()).isTrue();
        assertThat(spec.get("timeout").get("type").asText()).isEqualTo("number");
        for (String field : List.of("id", "type", "name", "transport", "timeout", "builtin", "hidden", "created_at",
                "modified_at", "removed", "variables", "commands")) {
            assertThat(spec.has(field)).as(field).isTrue();
        }
    }

    @Test
    void badChangersAreRefusedWithTheFieldNamedAndNothingChanges() throws Exception {
        String valid = seed("post-password-changer");
        String before = changerState();
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put(valid.replace("\"type\":\"change\"", "\"type\":\"rotate\""), new String[]{"INVALID_FIELD", "field 'type'"});
        cases.put(valid.replace("\"WinRM\"", "\"RDP\""), new String[]{"INVALID_FIELD", "field 'transport'"});
        cases.put(valid.replace("1000", "0"), new String[]{"INVALID_FIELD", "field 'timeout'"});
        cases.put(valid.replace("1000", "-5"), new String[]{"INVALID_FIELD", "field 'timeout'"});
        cases.put(valid.replace("1000", "\"ten\""), new String[]{"INVALID_FIELD", "field 'timeout'"});
        cases.put("{\"name\":\"x\",\"type\":\"change\",\"transport\":\"SSH\",\"timeout\":10,\"commands\":[]}",
                new String[]{"INVALID_FIELD", "field 'commands'", "non-empty"});
        cases.put("{\"name\":\"x\",\"type\":\"change\",\"transport\":\"SSH\",\"timeout\":10}",
                new String[]{"INVALID_FIELD", "field 'commands'", "required"});
        cases.put("{\"name\":\"x\",\"type\":\"change\",\"transport\":\"SSH\",\"timeout\":10,\"commands\":[{\"type\":\"send\",\"value\":\"x\"}]}",
                new String[]{"INVALID_FIELD", "commands[0].type"});
        cases.put("{\"name\":\"x\",\"type\":\"change\",\"transport\":\"SSH\",\"timeout\":10,\"commands\":[{\"type\":\"expected\",\"value\":\"(\"}]}",
                new String[]{"INVALID_FIELD", "commands[0].value", "regex"});
        cases.put(valid.replace("%%account_login%%", "%%root_password%%"),
                new String[]{"INVALID_FIELD", "commands[0].value", "%%root_password%%"});
        cases.put(valid.replace("Description text.", "line\\nbreak"), new String[]{"INVALID_FIELD", "commands[0].description", "LF"});
        cases.put(valid.replace("net user", "net\\ruser"), new String[]{"INVALID_FIELD", "commands[0].value", "CR"});
        cases.put(valid.replace("net user", "net\\u0000user"), new String[]{"INVALID_FIELD", "NUL"});
        cases.put(valid.replace("\"name\":\"Password_Changer_WinRM\"", "\"name\":\"   \""), new String[]{"INVALID_FIELD", "field 'name'"});
        cases.put(valid.replace("{\"name\"", "{\"builtin\":true,\"name\""), new String[]{"INVALID_FIELD", "field 'builtin'", "read-only"});
        cases.put(valid.replace("{\"name\"", "{\"colour\":1,\"name\""), new String[]{"UNKNOWN_FIELD", "field 'colour'"});
        cases.put("{\"name\":", new String[]{"MALFORMED_JSON"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String[] expected = c.getValue();
            assertError(call("POST", "/api/v2/password_changer", adminToken, c.getKey()), 400, expected[0],
                    java.util.Arrays.copyOfRange(expected, 1, expected.length));
        }
        // a declared variable may be used as a placeholder
        String withVariable = "{\"name\":\"vars\",\"type\":\"change\",\"transport\":\"SSH\",\"timeout\":10,"
                + "\"variables\":[{\"name\":\"enable_secret\",\"object_type\":\"server\",\"object_property\":\"enable\",\"encrypted\":true}],"
                + "\"commands\":[{\"type\":\"input\",\"value\":\"%%enable_secret%%\"}]}";
        assertThat(changerState()).isEqualTo(before);
        create(withVariable);
    }

    @Test
    void credentialsAndRolesAreCheckedFirst() throws Exception {
        String id = create(seed("post-password-changer"));
        for (String[] request : List.of(new String[]{"GET", "/api/v2/password_changer"},
                new String[]{"POST", "/api/v2/password_changer"}, new String[]{"GET", "/api/v2/password_changer/" + id},
                new String[]{"PATCH", "/api/v2/password_changer/" + id}, new String[]{"DELETE", "/api/v2/password_changer/" + id},
                new String[]{"GET", "/api/v2/objspec/password_changer"},
                new String[]{"POST", "/api/v2/account/acct-1/trigger_password_changer"})) {
            String body = request[0].equals("POST") || request[0].equals("PATCH") ? seed("post-password-changer") : null;
            HttpResponse<String> none = call(request[0], request[1], null, body);
            assertError(none, 401, "UNAUTHENTICATED");
            assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
            assertError(call(request[0], request[1], "not-a-token", body), 401, "UNAUTHENTICATED");
        }
        String before = changerState();
        assertError(call("POST", "/api/v2/password_changer", operatorToken, seed("post-password-changer")), 403, "FORBIDDEN");
        assertError(call("PATCH", "/api/v2/password_changer/" + id, "Bearer " + auditorToken, "{\"timeout\":5}"), 403, "FORBIDDEN");
        assertError(call("DELETE", "/api/v2/password_changer/" + id, operatorToken, null), 403, "FORBIDDEN");
        assertError(call("POST", "/api/v2/account/acct-1/trigger_password_changer", auditorToken, null), 403, "FORBIDDEN");
        assertThat(changerState()).isEqualTo(before);
        ok(call("GET", "/api/v2/password_changer/" + id, auditorToken, null));
        assertError(call("GET", "/api/v2/no_such_thing", adminToken, null), 404, "NOT_FOUND", "/api/v2");
    }

    @Test
    void triggerRunsTheAccountsRotationThroughTheProtocol() throws Exception {
        int before = version();
        JsonNode answer = ok(call("POST", "/api/v2/account/acct-1/trigger_password_changer", operatorToken, null));
        assertThat(answer.toString()).isEqualTo("{\"result\":\"success\"}");
        assertThat(version()).isGreaterThan(before);
        try (StoredCredential c = vault.credentials().read("acct-1", Slot.CURRENT).orElseThrow()) {
            assertThat(target.passwords.get("acct-1")).isEqualTo(c.secret().reveal());
        }
        assertError(call("POST", "/api/v2/account/nobody/trigger_password_changer", operatorToken, null), 404, "NOT_FOUND");

        target.rejectNextChanges = 100;
        HttpResponse<String> refused = call("POST", "/api/v2/account/acct-1/trigger_password_changer", operatorToken, null);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        JsonNode error = JSON.readTree(refused.body());
        assertThat(error.get("result").asText()).isEqualTo("error");
        assertThat(error.get("code").asText()).isEqualTo("REJECTED");
    }

    @Test
    void aChangerNamedByATargetCannotBeDeletedOrRenamed() throws Exception {
        String id = create(seed("post-password-changer"));
        vault.targets().upsertTarget(new Target("unix-1", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null,
                Map.of("passwordChanger", "password_changer_winrm")));
        assertError(call("DELETE", "/api/v2/password_changer/" + id, adminToken, null), 409, "IN_USE", "unix-1");
        assertError(call("PATCH", "/api/v2/password_changer/" + id, adminToken, "{\"name\":\"renamed\"}"), 409, "IN_USE");
        ok(call("PATCH", "/api/v2/password_changer/" + id, adminToken, "{\"timeout\":60}"));
    }

    private int version() {
        return (int) vault.accounts().findAccount("acct-1").orElseThrow().version();
    }
}
