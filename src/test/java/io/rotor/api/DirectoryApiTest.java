package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Role;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultModel;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The directory API ({@link DirectoryApiRoutes}, {@link DirectoryApi}) as Camel Main runs it, over HTTP on
 * platform-http, with {@link ApiRoutes} beside it (for {@code POST /targets}) and a real H2 vault in a temp dir.
 */
class DirectoryApiTest extends CamelMainTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The REST paths this class owns (under /api/v1). */
    private static final Set<String> DIRECTORY_PATHS = Set.of("/users", "/groups", "/templates", "/vault-targets");

    private final int port = io.rotor.it.TestPorts.free();
    private final Path config = configOnPort(port);
    private final HttpClient http = HttpClient.newHttpClient();
    private Path dataDir;
    private Vault vault;
    private String adminToken;
    private String operatorToken;
    private String auditorToken;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addRoutesBuilder(new ApiRoutes());
        configuration.addRoutesBuilder(new DirectoryApiRoutes());
    }

    private static Path configOnPort(int port) {
        try {
            String shipped = Files.readString(Path.of("config", "application.properties"));
            String adjusted = shipped.replaceFirst("(?m)^camel\\.server\\.port\\s*=.*$", "camel.server.port = " + port);
            Path file = Files.createTempFile("rotor-dirapi-test-", ".properties");
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
        dataDir = Files.createTempDirectory("rotor-dirapi-");
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
        AuthStore auth = new AuthStore(vault.tokens());
        registry.bind("apiAuthenticator", new Authenticator(auth, vault.audit(), LoginThrottleTest.lenient()));
        DirectoryApi directory = new DirectoryApi(vault.accounts(), vault.targets(), vault.users(), vault.groups(), vault.attributes(), vault.access(),
                vault.templates());
        registry.bind("apiInventory", new InventoryApi(vault, directory));
        registry.bind("apiAccounts", new AccountApi(vault));
        registry.bind("apiDirectory", directory);

        adminToken = token(auth, "admin-1", Role.ADMIN);
        operatorToken = token(auth, "operator-1", Role.OPERATOR);
        auditorToken = token(auth, "auditor-1", Role.AUDITOR);

        // a real target with a backing account, a vault target with one vault account, a user target
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount("db1-app", "fleet", "app", CredentialType.PASSWORD, null);
        vault.templates().ensureVaultTarget("test", "pam");
        vault.users().ensureUserTarget("test", "staff");
        vault.accounts().upsertAccount("v-db1-app", "pam", "db1-app", CredentialType.PASSWORD, null);
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

    private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null || !method.equals("GET")) { // state-changing requests must be JSON (browser safety)
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return call(method, path, adminToken, body);
    }

    private JsonNode ok(HttpResponse<String> response, int status) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 204) {
            assertThat(response.body()).isEmpty();
            return null;
        }
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String... messageParts) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("code").asText()).as(response.body()).isEqualTo(code);
        for (String part : messageParts) {
            assertThat(error.get("message").asText()).contains(part);
        }
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    /** Everything a refused request must leave as it was: the directory, attributes, access, and non-login audit. */
    private String state() {
        StringBuilder s = new StringBuilder();
        s.append(vault.targets().listTargets()).append('\n');
        for (String target : List.of("staff")) {
            s.append(vault.users().listUsers(target)).append('\n').append(vault.groups().listGroups(target)).append('\n');
            vault.groups().listGroups(target).forEach(g -> s.append(g.id()).append(vault.groups().members(g.id())).append('\n'));
            vault.users().listUsers(target).forEach(u -> s.append(u.id()).append(vault.access().accessOf(u.id())).append('\n'));
        }
        s.append(vault.templates().listTemplates()).append('\n');
        vault.accounts().listAccounts(null).forEach(a -> s.append(a.id()).append(vault.attributes().attributes(a.id())).append('\n'));
        vault.audit().trail(null, 10_000).stream().filter(a -> !a.operation().startsWith("API_"))
                .forEach(a -> s.append(a.operation()).append(' ').append(a.detail()).append('\n'));
        return s.toString();
    }

    private long audited(String operation) {
        return vault.audit().trail(null, 10_000).stream().filter(a -> a.operation().equals(operation)).count();
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }

    private void user(String id, String login) throws Exception {
        ok(admin("POST", "/api/v1/users", "{\"id\": \"" + id + "\", \"userTarget\": \"staff\", \"login\": \"" + login + "\"}"), 201);
    }

    // ---------------------------------------------------------------- vault views as targets

    @Test
    void vaultAndVaultUsersTargetsAreCreatedWithoutHostAndListed() throws Exception {
        JsonNode vaultTarget = ok(admin("POST", "/api/v1/targets", "{\"id\": \"vault\", \"type\": \"vault\"}"), 201);
        assertThat(vaultTarget.get("id").asText()).isEqualTo("vault");
        assertThat(vaultTarget.get("type").asText()).isEqualTo("vault");
        assertThat(vaultTarget.has("host")).as("a view onto the vault has no host").isFalse();
        ok(admin("POST", "/api/v1/targets", "{\"id\": \"people\", \"type\": \"vault-users\"}"), 201);

        assertThat(vault.targets().findTarget("vault").orElseThrow().type()).isEqualTo(VaultModel.VAULT_TARGET_TYPE);
        assertThat(vault.targets().findTarget("people").orElseThrow().type()).isEqualTo(VaultModel.USER_TARGET_TYPE);
        JsonNode list = ok(call("GET", "/api/v1/targets", auditorToken, null), 200);
        assertThat(ids(list)).contains("vault", "people", "fleet");

        String before = state();
        assertError(admin("POST", "/api/v1/targets", "{\"id\": \"vault\", \"type\": \"vault\"}"), 409, "ALREADY_EXISTS", "vault");
        assertError(admin("POST", "/api/v1/targets", "{\"id\": \"fleet\", \"type\": \"vault-users\"}"), 409, "ALREADY_EXISTS", "fleet");
        assertError(admin("POST", "/api/v1/targets", "{\"id\": \"v2\", \"type\": \"vault\", \"host\": \"x\"}"), 400,
                "UNKNOWN_FIELD", "field 'host'");
        assertError(admin("PUT", "/api/v1/targets/vault", "{\"type\": \"vault\"}"), 400, "INVALID_FIELD", "field 'type'");
        assertError(call("POST", "/api/v1/targets", operatorToken, "{\"id\": \"v3\", \"type\": \"vault\"}"), 403, "FORBIDDEN");
        assertThat(state()).isEqualTo(before);
        assertThat(vault.targets().findTarget("v2")).isEmpty();
    }

    // ---------------------------------------------------------------- users

    @Test
    void usersAreCreatedReadReplacedAndDeleted() throws Exception {
        JsonNode created = ok(admin("POST", "/api/v1/users",
                "{\"id\": \"alice\", \"userTarget\": \"staff\", \"login\": \"alice.s\", \"displayName\": \"Alice S\"}"), 201);
        assertThat(created.get("login").asText()).isEqualTo("alice.s");
        assertThat(created.get("disabled").asBoolean()).isFalse();
        user("bob", "bob");
        assertThat(audited("USER_CREATE")).isEqualTo(2);

        assertThat(ids(ok(call("GET", "/api/v1/users", auditorToken, null), 200))).containsExactly("alice", "bob");
        assertThat(ids(ok(call("GET", "/api/v1/users?userTarget=staff", operatorToken, null), 200))).containsExactly("alice", "bob");
        assertThat(ok(call("GET", "/api/v1/users/alice", auditorToken, null), 200).get("displayName").asText()).isEqualTo("Alice S");

        JsonNode replaced = ok(admin("PUT", "/api/v1/users/alice", "{\"login\": \"alice2\", \"disabled\": true}"), 200);
        assertThat(replaced.get("login").asText()).isEqualTo("alice2");
        assertThat(replaced.get("disabled").asBoolean()).isTrue();
        assertThat(replaced.has("displayName")).as("PUT replaces whole; left out is null").isFalse();
        assertThat(vault.users().findUser("alice").orElseThrow().disabled()).isTrue();

        String before = state();
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"alice\", \"userTarget\": \"staff\", \"login\": \"x\"}"),
                409, "ALREADY_EXISTS", "field 'id'");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"carol\", \"userTarget\": \"staff\", \"login\": \"bob\"}"),
                409, "CONFLICT", "login 'bob'");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"carol\", \"userTarget\": \"nowhere\", \"login\": \"c\"}"),
                404, "NOT_FOUND", "field 'userTarget'");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"carol\", \"userTarget\": \"fleet\", \"login\": \"c\"}"),
                404, "NOT_FOUND", "field 'userTarget'", "type 'fake'");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"bad id\", \"userTarget\": \"staff\", \"login\": \"c\"}"),
                400, "INVALID_FIELD", "field 'id'");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"carol\", \"userTarget\": \"staff\"}"),
                400, "INVALID_FIELD", "field 'login'");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"carol\", \"userTarget\": \"staff\", \"login\": \"c\\u0007\"}"),
                400, "INVALID_FIELD", "field 'login'", "control characters");
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"carol\", \"userTarget\": \"staff\", \"login\": \"c\", \"disabled\": \"no\"}"),
                400, "INVALID_FIELD", "field 'disabled'");
        assertError(admin("PUT", "/api/v1/users/bob", "{\"userTarget\": \"other\", \"login\": \"bob\"}"),
                400, "INVALID_FIELD", "field 'userTarget'", "cannot be changed");
        assertError(admin("PUT", "/api/v1/users/bob", "{\"id\": \"alice\", \"login\": \"bob\"}"), 400, "INVALID_FIELD", "field 'id'");
        assertError(admin("PUT", "/api/v1/users/nobody", "{\"login\": \"n\"}"), 404, "NOT_FOUND", "nobody");
        assertError(call("GET", "/api/v1/users?userTarget=nowhere", auditorToken, null), 404, "NOT_FOUND", "parameter 'userTarget'");
        assertError(call("GET", "/api/v1/users/nobody", auditorToken, null), 404, "NOT_FOUND", "unknown user id 'nobody'");
        assertThat(state()).isEqualTo(before);

        ok(admin("DELETE", "/api/v1/users/bob", null), 204);
        assertError(call("GET", "/api/v1/users/bob", auditorToken, null), 404, "NOT_FOUND");
        assertError(admin("DELETE", "/api/v1/users/bob", null), 404, "NOT_FOUND");
        assertThat(vault.users().findUser("bob")).isEmpty();
        assertThat(audited("USER_DELETE")).isEqualTo(1);
    }

    @Test
    void aUserNamedByAVaultAccountAttributeIsNotDeletedAndOtherwiseLeavesNoMembershipOrAccess() throws Exception {
        user("alice", "alice");
        ok(admin("POST", "/api/v1/groups", "{\"id\": \"dba\", \"userTarget\": \"staff\", \"name\": \"DBAs\"}"), 201);
        ok(admin("PUT", "/api/v1/groups/dba/members/alice", null), 201);
        ok(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/owners", "{\"values\": [\"alice\"]}"), 200);
        ok(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/groups", "{\"values\": [\"dba\"]}"), 200);
        ok(admin("POST", "/api/v1/vault-targets/pam/resync", "{\"associationAttribute\": \"owners\", \"groupAttribute\": \"groups\"}"), 200);
        assertThat(vault.access().accessOf("alice")).hasSize(2);

        String before = state();
        assertError(admin("DELETE", "/api/v1/users/alice", null), 409, "IN_USE", "'v-db1-app' (owners)");
        assertThat(state()).isEqualTo(before);

        ok(admin("DELETE", "/api/v1/accounts/v-db1-app/attributes/owners", null), 204);
        ok(admin("DELETE", "/api/v1/users/alice", null), 204);
        assertThat(vault.users().findUser("alice")).isEmpty();
        assertThat(vault.groups().members("dba")).isEmpty();
        JsonNode resync = ok(admin("POST", "/api/v1/vault-targets/pam/resync", null), 200);
        assertThat(resync.get("total").asInt()).as("no access row is left for the deleted user").isZero();
        assertThat(resync.get("removed").asInt()).as("deleteUser already removed the rows").isZero();
    }

    // ---------------------------------------------------------------- groups, members, access

    @Test
    void groupsMembersAndAccessThroughResync() throws Exception {
        user("alice", "alice");
        user("bob", "bob");
        JsonNode group = ok(admin("POST", "/api/v1/groups", "{\"id\": \"dba\", \"userTarget\": \"staff\", \"name\": \"DBAs\"}"), 201);
        assertThat(group.get("name").asText()).isEqualTo("DBAs");
        ok(admin("POST", "/api/v1/groups", "{\"id\": \"all\", \"userTarget\": \"staff\", \"name\": \"Everyone\"}"), 201);
        assertError(admin("POST", "/api/v1/groups", "{\"id\": \"dba\", \"userTarget\": \"staff\", \"name\": \"x\"}"), 409, "ALREADY_EXISTS");
        assertError(admin("POST", "/api/v1/groups", "{\"id\": \"g2\", \"userTarget\": \"pam\", \"name\": \"x\"}"), 404,
                "NOT_FOUND", "field 'userTarget'");

        JsonNode members = ok(admin("PUT", "/api/v1/groups/dba/members/alice", null), 201);
        assertThat(ids(members)).containsExactly("alice");
        ok(admin("PUT", "/api/v1/groups/dba/members/alice", null), 200);
        ok(admin("PUT", "/api/v1/groups/all/members/alice", null), 201);
        ok(admin("PUT", "/api/v1/groups/dba/members/bob", null), 201);
        assertError(admin("PUT", "/api/v1/groups/dba/members/nobody", null), 404, "NOT_FOUND", "nobody");
        assertThat(ids(ok(call("GET", "/api/v1/groups/dba/members", auditorToken, null), 200))).containsExactly("alice", "bob");
        assertThat(ids(ok(call("GET", "/api/v1/users/alice/groups", auditorToken, null), 200))).containsExactly("all", "dba");
        assertThat(ids(ok(call("GET", "/api/v1/groups?userTarget=staff", operatorToken, null), 200))).containsExactly("all", "dba");
        assertThat(ok(admin("PUT", "/api/v1/groups/dba", "{\"name\": \"Database admins\"}"), 200).get("name").asText())
                .isEqualTo("Database admins");

        // access: bob through the association attribute, dba members through the group attribute
        ok(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/owners", "{\"values\": [\"bob\"]}"), 200);
        ok(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/groups", "{\"values\": [\"dba\"]}"), 200);
        JsonNode resync = ok(admin("POST", "/api/v1/vault-targets/pam/resync",
                "{\"associationAttribute\": \"owners\", \"groupAttribute\": \"groups\"}"), 200);
        assertThat(resync.get("vaultTarget").asText()).isEqualTo("pam");
        assertThat(resync.get("added").asInt()).isEqualTo(3);
        assertThat(resync.get("total").asInt()).isEqualTo(3);
        JsonNode again = ok(admin("POST", "/api/v1/vault-targets/pam/resync", null), 200);
        assertThat(again.get("added").asInt()).as("remembered names, nothing new").isZero();
        assertThat(again.get("groupAttribute").asText()).isEqualTo("groups");

        JsonNode access = ok(call("GET", "/api/v1/users/alice/access", auditorToken, null), 200);
        assertThat(access).hasSize(1);
        assertThat(access.get(0).get("vaultAccount").asText()).isEqualTo("v-db1-app");
        assertThat(access.get(0).get("via").asText()).isEqualTo("group:dba");
        assertThat(access.get(0).get("group").asText()).isEqualTo("dba");

        // removing a member ends the access through that group at once
        ok(admin("DELETE", "/api/v1/groups/dba/members/alice", null), 204);
        assertThat(ok(call("GET", "/api/v1/users/alice/access", auditorToken, null), 200)).isEmpty();
        assertError(admin("DELETE", "/api/v1/groups/dba/members/alice", null), 404, "NOT_FOUND", "not a member");

        // deleting a group removes its memberships and the access that came through it
        ok(admin("DELETE", "/api/v1/groups/dba", null), 204);
        assertThat(vault.groups().findGroup("dba")).isEmpty();
        assertThat(vault.access().accessOf("bob")).extracting(a -> a.via()).containsExactly("association");
        assertError(call("GET", "/api/v1/groups/dba", auditorToken, null), 404, "NOT_FOUND");
        assertThat(audited("GROUP_DELETE")).isEqualTo(1);

        assertError(admin("POST", "/api/v1/vault-targets/nowhere/resync", null), 404, "NOT_FOUND", "nowhere");
        assertError(admin("POST", "/api/v1/vault-targets/staff/resync", null), 404, "NOT_FOUND", "not a vault target");
        assertError(admin("POST", "/api/v1/vault-targets/pam/resync", "{\"groupAttribute\": \"owners\", \"associationAttribute\": \"owners\"}"),
                400, "INVALID_FIELD", "field 'groupAttribute'");
    }

    // ---------------------------------------------------------------- templates

    @Test
    void templatesAreCreatedReadReplacedAndDeleted() throws Exception {
        JsonNode created = ok(admin("POST", "/api/v1/templates", "{\"id\": \"t1\", \"vaultTarget\": \"pam\","
                + " \"namePattern\": \"{target}-{username}\", \"attributes\": {\"groups\": [\"all\", \"dba\", \"all\"]}}"), 201);
        assertThat(created.get("attributes").get("groups")).hasSize(2);
        assertThat(vault.templates().findTemplate("t1").orElseThrow().defaults("groups")).containsExactly("all", "dba");
        assertThat(ids(ok(call("GET", "/api/v1/templates", auditorToken, null), 200))).containsExactly("t1");
        assertThat(ok(call("GET", "/api/v1/templates/t1", operatorToken, null), 200).get("namePattern").asText())
                .isEqualTo("{target}-{username}");

        JsonNode replaced = ok(admin("PUT", "/api/v1/templates/t1", "{\"vaultTarget\": \"pam\", \"namePattern\": \"v-{account}\"}"), 200);
        assertThat(replaced.get("namePattern").asText()).isEqualTo("v-{account}");
        assertThat(replaced.get("attributes")).isEmpty();

        String before = state();
        assertError(admin("POST", "/api/v1/templates", "{\"id\": \"t1\", \"vaultTarget\": \"pam\", \"namePattern\": \"{account}\"}"),
                409, "ALREADY_EXISTS");
        assertError(admin("POST", "/api/v1/templates", "{\"id\": \"t2\", \"vaultTarget\": \"staff\", \"namePattern\": \"{account}\"}"),
                404, "NOT_FOUND", "field 'vaultTarget'");
        assertError(admin("POST", "/api/v1/templates", "{\"id\": \"t2\", \"vaultTarget\": \"pam\", \"namePattern\": \"{target}\"}"),
                400, "INVALID_FIELD", "field 'namePattern'");
        assertError(admin("POST", "/api/v1/templates", "{\"id\": \"t2\", \"vaultTarget\": \"pam\", \"namePattern\": \"{account}\","
                + " \"attributes\": {\"groups\": \"dba\"}}"), 400, "INVALID_FIELD", "field 'attributes.groups'");
        assertError(call("PUT", "/api/v1/templates/t1", operatorToken, "{\"vaultTarget\": \"pam\", \"namePattern\": \"{account}\"}"),
                403, "FORBIDDEN");
        assertThat(state()).isEqualTo(before);

        ok(admin("DELETE", "/api/v1/templates/t1", null), 204);
        assertThat(vault.templates().findTemplate("t1")).isEmpty();
        assertError(admin("DELETE", "/api/v1/templates/t1", null), 404, "NOT_FOUND");
        assertThat(audited("TEMPLATE_DELETE")).isEqualTo(1);
    }

    // ---------------------------------------------------------------- attributes

    @Test
    void accountAttributesAreSetReadAndRemoved() throws Exception {
        assertThat(ok(call("GET", "/api/v1/accounts/v-db1-app/attributes", auditorToken, null), 200)).isEmpty();
        JsonNode set = ok(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/backing_account", "{\"values\": [\"db1-app\"]}"), 200);
        assertThat(set.get("values")).hasSize(1);
        ok(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/owners", "{\"values\": [\"b\", \"a\", \"b\"]}"), 200);

        JsonNode all = ok(call("GET", "/api/v1/accounts/v-db1-app/attributes", operatorToken, null), 200);
        assertThat(all.get("owners").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(all.get("backing_account").get(0).asText()).isEqualTo("db1-app");
        assertThat(audited("ATTRIBUTE_SET")).isEqualTo(2);

        String before = state();
        assertError(admin("PUT", "/api/v1/accounts/nope/attributes/owners", "{\"values\": []}"), 404, "NOT_FOUND", "nope");
        assertError(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/owners", "{\"values\": \"a\"}"), 400, "INVALID_FIELD", "field 'values'");
        assertError(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/owners", "{}"), 400, "INVALID_FIELD", "field 'values'");
        assertError(call("GET", "/api/v1/accounts/nope/attributes", auditorToken, null), 404, "NOT_FOUND");
        assertThat(state()).isEqualTo(before);

        ok(admin("DELETE", "/api/v1/accounts/v-db1-app/attributes/owners", null), 204);
        assertThat(vault.attributes().attribute("v-db1-app", "owners")).isEmpty();
        assertError(admin("DELETE", "/api/v1/accounts/v-db1-app/attributes/owners", null), 404, "NOT_FOUND", "owners");
    }

    // ---------------------------------------------------------------- bodies

    @Test
    void malformedJsonUnknownFieldsAndWrongContentTypeAreRefusedAndChangeNothing() throws Exception {
        String before = state();
        String[][] writes = {
                {"POST", "/api/v1/users"}, {"PUT", "/api/v1/users/x"}, {"POST", "/api/v1/groups"},
                {"POST", "/api/v1/templates"}, {"PUT", "/api/v1/accounts/v-db1-app/attributes/a"},
                {"POST", "/api/v1/vault-targets/pam/resync"}};
        for (String[] w : writes) {
            assertError(admin(w[0], w[1], "{\"id\": \"x\","), 400, "MALFORMED_JSON");
            assertError(admin(w[0], w[1], "{\"id\": \"x\", \"id\": \"y\"}"), 400, "MALFORMED_JSON", "more than once");
            assertError(admin(w[0], w[1], "[1]"), 400, "MALFORMED_JSON");
        }
        assertError(admin("POST", "/api/v1/users", "{\"id\": \"c\", \"userTarget\": \"staff\", \"login\": \"c\", \"colour\": 1}"),
                400, "UNKNOWN_FIELD", "field 'colour'", "known fields: id, userTarget, login, displayName, disabled");
        assertError(admin("POST", "/api/v1/groups", "{\"id\": \"g\", \"userTarget\": \"staff\", \"name\": \"g\", \"members\": []}"),
                400, "UNKNOWN_FIELD", "field 'members'");
        assertError(admin("POST", "/api/v1/vault-targets/pam/resync", "{\"linkAttribute\": \"x\"}"), 400, "UNKNOWN_FIELD", "field 'linkAttribute'");
        assertError(admin("PUT", "/api/v1/accounts/v-db1-app/attributes/a", "{\"values\": [], \"value\": \"x\"}"),
                400, "UNKNOWN_FIELD", "field 'value'");
        HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/groups"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("id=g")).build(), HttpResponse.BodyHandlers.ofString());
        assertError(form, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(call("GET", "/api/v1/users/bad%20id", auditorToken, null), 400, "INVALID_PARAMETER", "parameter 'id'");
        assertThat(state()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- authentication, roles, OpenAPI

    private List<String[]> directoryEndpoints() {
        List<String[]> endpoints = new ArrayList<>();
        for (RestDefinition rest : context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                String sub = verb.getPath() == null ? "" : verb.getPath();
                if (DIRECTORY_PATHS.contains(rest.getPath()) || sub.contains("/attributes")) {
                    String path = ApiRoutes.CONTEXT_PATH + rest.getPath() + sub;
                    endpoints.add(new String[]{verb.asVerb().toUpperCase(Locale.ROOT), path, verb.getId()});
                }
            }
        }
        return endpoints;
    }

    @Test
    void everyDirectoryEndpointRefusesMissingOrWrongCredentialsWith401() throws Exception {
        List<String[]> endpoints = directoryEndpoints();
        assertThat(endpoints).as("users 7, groups 8, templates 5, attributes 3, resync 1").hasSize(24);
        user("alice", "alice");
        String before = state();
        for (String[] e : endpoints) {
            String path = e[1].replace("{id}", "x").replace("{userId}", "alice").replace("{name}", "a");
            String body = e[0].equals("POST") || e[0].equals("PUT") ? "{}" : null;
            for (String token : new String[]{null, Credentials.newToken()}) {
                HttpResponse<String> response = call(e[0], path, token, body);
                assertError(response, 401, "UNAUTHENTICATED");
                assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Basic realm=\"rotor\", Bearer");
            }
        }
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void readsAreForEveryRoleAndWritesForAdminOnly() throws Exception {
        user("alice", "alice");
        ok(admin("POST", "/api/v1/groups", "{\"id\": \"dba\", \"userTarget\": \"staff\", \"name\": \"DBAs\"}"), 201);
        ok(admin("POST", "/api/v1/templates", "{\"id\": \"t1\", \"vaultTarget\": \"pam\", \"namePattern\": \"{account}\"}"), 201);
        List<String[]> endpoints = directoryEndpoints();
        long deniedBefore = audited("API_DENIED");
        int writes = 0;
        for (String[] e : endpoints) {
            String path = e[1].replace("{userId}", "alice").replace("{name}", "owners")
                    .replace("/users/{id}", "/users/alice").replace("/groups/{id}", "/groups/dba")
                    .replace("/templates/{id}", "/templates/t1").replace("/accounts/{id}", "/accounts/v-db1-app")
                    .replace("/vault-targets/{id}", "/vault-targets/pam");
            if (e[0].equals("GET")) {
                for (String token : new String[]{auditorToken, operatorToken, adminToken}) {
                    assertThat(call("GET", path, token, null).statusCode()).as(e[2] + " " + path).isEqualTo(200);
                }
            } else {
                String before = state();
                String body = e[0].equals("POST") || e[0].equals("PUT") ? "{}" : null;
                for (String token : new String[]{auditorToken, operatorToken}) {
                    assertError(call(e[0], path, token, body), 403, "FORBIDDEN");
                }
                assertThat(state()).as(e[2]).isEqualTo(before);
                writes++;
            }
        }
        assertThat(writes).isEqualTo(14);
        assertThat(audited("API_DENIED") - deniedBefore).isEqualTo(writes * 2L);
    }

    @Test
    void theOpenApiDocumentDescribesEveryDirectoryEndpoint() throws Exception {
        HttpResponse<String> response = call("GET", "/api/v1/openapi.json", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode paths = JSON.readTree(response.body()).get("paths");
        List<String> operationIds = new ArrayList<>();
        for (String[] e : directoryEndpoints()) {
            String path = e[1].substring(ApiRoutes.CONTEXT_PATH.length());
            JsonNode operation = paths.path(path).path(e[0].toLowerCase(Locale.ROOT));
            assertThat(operation.isMissingNode()).as(e[0] + " " + path).isFalse();
            assertThat(operation.path("operationId").asText()).isEqualTo(e[2]);
            assertThat(operation.path("summary").asText() + operation.path("description").asText()).as(path).isNotBlank();
            operationIds.add(e[2]);
        }
        assertThat(operationIds).contains("rest-create-user", "rest-user-access", "rest-add-group-member",
                "rest-set-account-attribute", "rest-resync-vault-target", "rest-delete-template");
        assertThat(paths.has("/targets")).as("ApiRoutes' document is the same one").isTrue();
    }
}
