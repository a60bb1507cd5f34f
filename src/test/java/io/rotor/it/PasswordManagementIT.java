package io.rotor.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import io.rotor.api.passwords.SailPointContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SailPoint's documented client flow against a real {@code rotor serve}, with the real {@code openssl}: an identity
 * (vault user) with a PostgreSQL role, a MariaDB user and an OpenLDAP entry in one password sync group asks for
 * the password info, encrypts its new password with {@code openssl pkeyutl -encrypt -pubin} (the password on
 * stdin, never on a command line), sets it, polls the change status until FINISHED, and the new password logs in
 * on all three servers while the old one is refused. Every request and answer is checked against SailPoint's
 * OpenAPI extract. Refusals change nothing. The LDAP entry lives in an OU of its own ({@code ou=rotor_it_sp}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PasswordManagementIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PG_USER = "rotor_it_sp_pg";
    private static final String MY_USER = "rotor_it_sp_my";
    private static final String LDAP_UID = "rotor_it_sp_ldap";
    private static final String ALICE = "rotor_it_sp_alice";
    private static final String BOB = "rotor_it_sp_bob";
    private static final int RATE_LIMIT = 25;

    private static RealTargets targets;
    private static RealTargets.Ldap ldap;
    private static String ou;
    private static SailPointContract contract;
    private static Path home;
    private static Path log;
    private static final List<Path> logs = new ArrayList<>();
    private static String adminToken;
    private static String aliceToken;
    private static String bobToken;
    private static String auditorToken;
    private static RotorProcess rotor;
    private static Process server;
    private static String base;
    private static Path config;
    /** Account id → the password that works on its server now. */
    private static final Map<String, String> live = new HashMap<>();
    private static final List<String> secretsSeen = new ArrayList<>();

    @BeforeAll
    static void startServerWithOneIdentityOnThreeServers() throws Exception {
        contract = SailPointContract.load();
        targets = RealTargets.load();
        ldap = RealTargets.ldap();
        ou = "ou=rotor_it_sp," + ldap.baseDn();
        cleanUpTargets();
        live.put("sp-pg-alice", randomPassword());
        live.put("sp-my-alice", randomPassword());
        live.put("sp-ldap-alice", randomPassword());
        targets.pgCreateRole(PG_USER, live.get("sp-pg-alice").toCharArray());
        targets.mariaCreateUser(MY_USER, live.get("sp-my-alice").toCharArray());
        try (LDAPConnection c = ldapAdmin()) {
            c.add("dn: " + ou, "objectClass: organizationalUnit", "ou: rotor_it_sp");
            c.add("dn: uid=" + LDAP_UID + "," + ou, "objectClass: inetOrgPerson", "uid: " + LDAP_UID, "cn: " + LDAP_UID,
                    "sn: rotor-it", "userPassword: " + live.get("sp-ldap-alice"));
        }
        secretsSeen.addAll(live.values());

        home = Files.createTempDirectory("rotor-sailpoint-it-");
        config = home.resolve("application.properties");
        Files.writeString(config, "rotor.data-dir = " + home.resolve("data") + "\n"
                + "rotor.password-management.rate-limit.requests = " + RATE_LIMIT + "\n"
                + "rotor.password-management.rate-limit.window = PT10M\n"
                // short leases, quiet period and retry period: the crash test's restart settles within seconds
                + "rotor.rotation.lock-lifetime-seconds = 4\nrotor.rotation.unknown-quiet-seconds = 3\n"
                + "rotor.recovery.retry-period-seconds = 2\n");
        String masterKey = Base64.getEncoder().encodeToString(RANDOM.generateSeed(32));
        adminToken = randomPassword();
        secretsSeen.add(adminToken);
        rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        startServer(List.of());

        // the sources, the identities, the identity's accounts (correlated through the attribute "identity")
        ok(call("POST", "/api/v1/policies", admin(), """
                {"id": "sp-group", "minLength": 16, "maxLength": 40, "minUpper": 1, "minLower": 1, "minDigit": 1,
                 "minSymbol": 1, "symbols": "-_.!", "excluded": "", "notContainUsername": true}"""));
        ok(call("POST", "/api/v1/targets", admin(), """
                {"id": "sp-pg", "type": "postgresql", "host": "127.0.0.1", "port": %d, "database": "%s", "tls": "disable"}"""
                .formatted(targets.pgPort(), targets.pgDatabase())));
        ok(call("POST", "/api/v1/targets", admin(), """
                {"id": "sp-my", "type": "mariadb", "host": "127.0.0.1", "port": %d, "tls": "disable"}""".formatted(targets.mariaPort())));
        ok(call("POST", "/api/v1/targets", admin(), JSON.createObjectNode().put("id", "sp-ldap").put("type", "ldap")
                .put("host", ldap.host()).put("port", ldap.port()).put("tls", "verify-full")
                .set("settings", JSON.createObjectNode().put("baseDn", ou).put("usernameIs", "login")
                        .put("trustStore", ldap.caFile().toString())).toString()));
        ok(call("POST", "/api/v1/targets", admin(), "{\"id\": \"sp-staff\", \"type\": \"vault-users\"}"));
        ok(call("POST", "/api/v1/users", admin(), "{\"id\": \"" + ALICE + "\", \"userTarget\": \"sp-staff\", \"login\": \"alice.sp\"}"));
        ok(call("POST", "/api/v1/users", admin(), "{\"id\": \"" + BOB + "\", \"userTarget\": \"sp-staff\", \"login\": \"bob.sp\"}"));
        account("sp-pg-alice", "sp-pg", PG_USER);
        account("sp-my-alice", "sp-my", MY_USER);
        account("sp-ldap-alice", "sp-ldap", LDAP_UID);

        aliceToken = token("rotor_it_sp_alice", "--identity", ALICE);
        bobToken = token("rotor_it_sp_bob", "--identity", BOB);
        auditorToken = token("rotor_it_sp_auditor", "--role", "auditor");
    }

    private static void startServer(List<String> jvmOptions) throws Exception {
        int port = TestPorts.free();
        base = "http://127.0.0.1:" + port;
        log = home.resolve("serve-" + logs.size() + ".log");
        logs.add(log);
        server = rotor.startLogged(jvmOptions, log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        ServeProcesses.awaitUp(HTTP, server, base + "/observe/health");
    }

    private static void account(String id, String target, String username) throws Exception {
        ok(call("POST", "/api/v1/accounts", admin(), "{\"id\": \"%s\", \"target\": \"%s\", \"username\": \"%s\"}"
                .formatted(id, target, username)));
        ok(call("POST", "/api/v1/accounts/" + id + "/set", admin(),
                JSON.createObjectNode().put("value", live.get(id)).put("vaultOnly", true).toString()));
        ok(call("POST", "/api/v1/accounts/" + id + "/verify", admin(), null));
        ok(call("PUT", "/api/v1/accounts/" + id + "/attributes/identity", admin(), "{\"values\": [\"" + ALICE + "\"]}"));
    }

    private static String token(String name, String... how) throws Exception {
        List<String> args = new ArrayList<>(List.of("token", "create", "--name", name));
        args.addAll(List.of(how));
        args.addAll(List.of("--config", config.toString()));
        RotorProcess.Result created = rotor.run(args.toArray(String[]::new));
        assertThat(created.exitCode()).as(created.all()).isZero();
        String token = created.stdout().trim();
        secretsSeen.add(token);
        return token;
    }

    @AfterAll
    static void stopServerAndRemoveTheAccounts() throws Exception {
        try {
            ServeProcesses.stop(server);
            for (Path serverLog : logs) {
                String text = Files.readString(serverLog);
                for (String secret : secretsSeen) {
                    assertThat(text).as("no secret in the server's output").doesNotContain(secret);
                }
            }
        } finally {
            cleanUpTargets();
            TestDirs.delete(home);
        }
    }

    private static void cleanUpTargets() throws Exception {
        targets.pgDropRole(PG_USER);
        targets.mariaDropUser(MY_USER);
        try (LDAPConnection c = ldapAdmin()) {
            if (c.getEntry(ou) != null) {
                for (SearchResultEntry e : c.search(ou, SearchScope.ONE, "(objectClass=*)").getSearchEntries()) {
                    c.delete(e.getDN());
                }
                c.delete(ou);
            }
        }
    }

    // ---------------------------------------------------------------- the tests

    @Test
    @Order(1)
    void anAdminMakesASyncGroupOfTheThreeSourcesAndASourceJoinsAtMostOneGroup() throws Exception {
        String body = "{\"name\": \"rotor_it_sp group\", \"passwordPolicyId\": \"sp-group\", \"sourceIds\": [\"sp-pg\", \"sp-my\", \"sp-ldap\"]}";
        assertThat(contract.requestProblems("/password-sync-groups", "POST", body)).isEmpty();
        HttpResponse<String> created = v3("POST", "/password-sync-groups", admin(), body, 200);
        JsonNode group = JSON.readTree(created.body());
        assertThat(group.get("sourceIds")).hasSize(3);
        assertThat(group.get("passwordPolicyId").asText()).isEqualTo("sp-group");
        v3("GET", "/password-sync-groups", admin(), null, 200);
        v3("GET", "/password-sync-groups/" + group.get("id").asText(), admin(), null, 200);
        HttpResponse<String> twice = v3("POST", "/password-sync-groups", admin(),
                "{\"name\": \"another\", \"sourceIds\": [\"sp-my\"]}", 400);
        assertThat(twice.body()).contains("already belongs to password sync group");
        v3("POST", "/password-sync-groups", aliceToken(), "{\"name\": \"mine\"}", 403);
        JsonNode policy = JSON.readTree(v3("GET", "/password-policies/sp-group", admin(), null, 200).body());
        assertThat(policy.get("minLength").asInt()).isEqualTo(16);
        assertThat(policy.get("sourceIds")).hasSize(3);
        v3("GET", "/password-policies", admin(), null, 200);
        groupsAreUpdatedDeletedCountedAndTheirPolicyMustFitEverySource(group);
    }

    /** PUT, DELETE and count=true of the sync groups, and the group policy checked against each member source. */
    private void groupsAreUpdatedDeletedCountedAndTheirPolicyMustFitEverySource(JsonNode group) throws Exception {
        String id = group.get("id").asText();
        HttpResponse<String> counted = v3("GET", "/password-sync-groups?count=true&limit=0", admin(), null, 200);
        assertThat(counted.headers().firstValue("X-Total-Count")).hasValue("1");
        assertThat(JSON.readTree(counted.body())).isEmpty();
        assertThat(v3("GET", "/password-sync-groups", admin(), null, 200).headers().firstValue("X-Total-Count")).isEmpty();
        assertThat(v3("GET", "/password-policies?count=true", admin(), null, 200).headers().firstValue("X-Total-Count"))
                .hasValueSatisfying(n -> assertThat(Integer.parseInt(n)).isGreaterThanOrEqualTo(2));
        assertThat(v3("GET", "/password-sync-groups?count=maybe", admin(), null, 400).body()).contains("count");

        // a source whose own policy takes at most 12 characters cannot join a group whose policy asks for 16
        ok(call("POST", "/api/v1/policies", admin(), """
                {"id": "sp-short", "minLength": 8, "maxLength": 12, "minUpper": 1, "minLower": 1, "minDigit": 1,
                 "minSymbol": 0, "symbols": "-", "excluded": "", "notContainUsername": false}"""));
        ok(call("POST", "/api/v1/targets", admin(), """
                {"id": "sp-lone", "type": "postgresql", "host": "127.0.0.1", "port": %d, "database": "%s", "tls": "disable",
                 "policy": "sp-short"}""".formatted(targets.pgPort(), targets.pgDatabase())));
        String tooShort = "{\"name\": \"rotor_it_sp short\", \"passwordPolicyId\": \"sp-group\", \"sourceIds\": [\"sp-lone\"]}";
        assertThat(v3("POST", "/password-sync-groups", admin(), tooShort, 400).body())
                .contains("at most 12 characters").contains("sp-lone");

        // PUT replaces name and members; the body's id must be the path's; an unknown id is 404
        String renamed = "{\"name\": \"rotor_it_sp renamed\", \"passwordPolicyId\": \"sp-group\","
                + " \"sourceIds\": [\"sp-pg\", \"sp-my\"]}";
        assertThat(contract.requestProblems("/password-sync-groups/{id}", "PUT", renamed)).isEmpty();
        JsonNode updated = JSON.readTree(v3("PUT", "/password-sync-groups/" + id, admin(), renamed, 200).body());
        assertThat(updated.get("name").asText()).isEqualTo("rotor_it_sp renamed");
        assertThat(updated.get("sourceIds")).hasSize(2);
        v3("PUT", "/password-sync-groups/" + id, admin(), renamed.replace("{", "{\"id\": \"other\", "), 400);
        v3("PUT", "/password-sync-groups/no-such-group", admin(), renamed, 404);
        v3("PUT", "/password-sync-groups/" + id, aliceToken(), renamed, 403);
        // sp-ldap left the group: a group of its own is now allowed, and DELETE removes it (then 404)
        JsonNode ldapOnly = JSON.readTree(v3("POST", "/password-sync-groups", admin(),
                "{\"name\": \"rotor_it_sp ldap\", \"sourceIds\": [\"sp-ldap\"]}", 200).body());
        v3("DELETE", "/password-sync-groups/" + ldapOnly.get("id").asText(), auditor(), null, 403);
        v3("DELETE", "/password-sync-groups/" + ldapOnly.get("id").asText(), admin(), null, 204);
        v3("GET", "/password-sync-groups/" + ldapOnly.get("id").asText(), admin(), null, 404);
        v3("DELETE", "/password-sync-groups/" + ldapOnly.get("id").asText(), admin(), null, 404);
        // back to the three sources the later tests use
        String three = "{\"name\": \"rotor_it_sp group\", \"passwordPolicyId\": \"sp-group\","
                + " \"sourceIds\": [\"sp-pg\", \"sp-my\", \"sp-ldap\"]}";
        assertThat(JSON.readTree(v3("PUT", "/password-sync-groups/" + id, admin(), three, 200).body()).get("sourceIds")).hasSize(3);
    }

    @Test
    @Order(2)
    void queryPasswordInfoAnswersTheIdentityItsAccountsTheKeyAndTheGroupPolicy() throws Exception {
        JsonNode info = queryInfo(aliceToken(), "alice.sp", "sp-ldap", 200);
        assertThat(info.get("identityId").asText()).isEqualTo(ALICE);
        assertThat(info.get("sourceId").asText()).isEqualTo("sp-ldap");
        assertThat(info.get("accounts").get(0).get("accountId").asText()).isEqualTo("sp-ldap-alice");
        assertThat(info.get("accounts").get(0).get("accountName").asText()).isEqualTo(LDAP_UID);
        assertThat(info.get("policies").toString()).contains("minLength is 16");
        assertThat(Base64.getDecoder().decode(info.get("publicKey").asText()).length).isGreaterThan(300);
        queryInfo(bobToken(), "alice.sp", "sp-ldap", 403);
        queryInfo(auditor(), "alice.sp", "sp-ldap", 403);
        queryInfo(aliceToken(), "nobody", "sp-ldap", 404);
        queryInfo(aliceToken(), "alice.sp", "nowhere", 404);
        HttpResponse<String> anonymous = call("POST", "/v3/query-password-info", null, "{}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(contract.responseProblems("/query-password-info", "POST", 401, anonymous.body())).isEmpty();
    }

    @Test
    @Order(3)
    void refusalsChangeNothing() throws Exception {
        JsonNode info = queryInfo(aliceToken(), "alice.sp", "sp-pg", 200);
        String keyId = info.get("publicKeyId").asText();
        String password = groupPassword();
        secretsSeen.add(password);
        Path pem = pem(info.get("publicKey").asText());
        String encrypted = opensslEncrypt(pem, password);

        assertThat(setPassword(aliceToken(), ALICE, encrypted, "bm8tc3VjaC1rZXk=", "sp-pg-alice", "sp-pg", 400).body())
                .contains("publicKeyId");
        assertThat(setPassword(aliceToken(), ALICE, "@@not base64@@", keyId, "sp-pg-alice", "sp-pg", 400).body())
                .contains("encryptedPassword: not base64");
        Path otherKey = home.resolve("other.pem");
        run(null, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", otherKey.toString());
        Path otherPublic = home.resolve("other-public.pem");
        run(null, "openssl", "pkey", "-in", otherKey.toString(), "-pubout", "-out", otherPublic.toString());
        assertThat(setPassword(aliceToken(), ALICE, opensslEncrypt(otherPublic, password), keyId, "sp-pg-alice", "sp-pg", 400)
                .body()).contains("cannot be decrypted");
        // Bob asks for Alice's account with his own identity id, and for Alice's identity: both refused
        setPassword(bobToken(), BOB, encrypted, keyId, "sp-pg-alice", "sp-pg", 403);
        setPassword(bobToken(), ALICE, encrypted, keyId, "sp-pg-alice", "sp-pg", 403);
        setPassword(auditor(), ALICE, encrypted, keyId, "sp-pg-alice", "sp-pg", 403);
        assertThat(setPassword(aliceToken(), ALICE, encrypted, keyId, "sp-pg-alice", "sp-my", 400).body()).contains("sourceId");
        setPassword(aliceToken(), ALICE, encrypted, keyId, "no-such-account", "sp-pg", 404);
        // sp-lone is in no group: its account named with another source, and a group account named with sp-lone
        ok(call("POST", "/api/v1/accounts", admin(), "{\"id\": \"sp-lone-alice\", \"target\": \"sp-lone\", \"username\": \"rotor_it_sp_lone\"}"));
        ok(call("PUT", "/api/v1/accounts/sp-lone-alice/attributes/identity", admin(), "{\"values\": [\"" + ALICE + "\"]}"));
        assertThat(setPassword(aliceToken(), ALICE, encrypted, keyId, "sp-lone-alice", "sp-pg", 400).body()).contains("sourceId");
        assertThat(setPassword(aliceToken(), ALICE, encrypted, keyId, "sp-pg-alice", "sp-lone", 400).body()).contains("sourceId");

        // a password that breaks the group's policy: accepted as a request that ends FAILED naming the rule
        String weak = "Short-1a";
        secretsSeen.add(weak);
        JsonNode refused = JSON.readTree(setPassword(aliceToken(), ALICE, opensslEncrypt(pem, weak), keyId, "sp-pg-alice",
                "sp-pg", 202).body());
        assertThat(refused.get("state").asText()).isEqualTo("FAILED");
        JsonNode status = status(aliceToken(), refused.get("requestId").asText());
        assertThat(status.get("state").asText()).isEqualTo("FAILED");
        assertThat(status.get("errors").toString()).contains("minLength").contains("sp-pg").contains("sp-my")
                .contains("sp-ldap").doesNotContain(weak);
        status(bobToken(), refused.get("requestId").asText(), 403);
        assertOldPasswordsStillWork();
    }

    @Test
    @Order(4)
    void theSeedsOpensslFlowChangesThePasswordOnEverySourceOfTheGroup() throws Exception {
        JsonNode info = queryInfo(aliceToken(), "alice.sp", "sp-pg", 200);
        Path pem = pem(info.get("publicKey").asText());
        String password = groupPassword();
        secretsSeen.add(password);
        String encrypted = opensslEncrypt(pem, password);
        JsonNode accepted = JSON.readTree(setPassword(aliceToken(), info.get("identityId").asText(), encrypted,
                info.get("publicKeyId").asText(), info.get("accounts").get(0).get("accountId").asText(),
                info.get("sourceId").asText(), 202).body());
        assertThat(accepted.get("state").asText()).isEqualTo("IN_PROGRESS");
        JsonNode status = awaitEnd(aliceToken(), accepted.get("requestId").asText());
        assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("FINISHED");
        assertThat(status.get("errors")).isEmpty();
        assertThat(status.get("sourceIds").toString()).contains("sp-pg", "sp-my", "sp-ldap");
        assertThat(status.toString()).doesNotContain(password);

        Map<String, String> old = new HashMap<>(live);
        assertThat(targets.pgLogin(PG_USER, password.toCharArray())).as("new password on PostgreSQL").isTrue();
        assertThat(targets.pgLogin(PG_USER, old.get("sp-pg-alice").toCharArray())).as("old password on PostgreSQL").isFalse();
        assertThat(targets.mariaLogin(MY_USER, password.toCharArray())).as("new password on MariaDB").isTrue();
        assertThat(targets.mariaLogin(MY_USER, old.get("sp-my-alice").toCharArray())).as("old password on MariaDB").isFalse();
        assertThat(ldapBinds(password)).as("new password on OpenLDAP").isTrue();
        assertThat(ldapBinds(old.get("sp-ldap-alice"))).as("old password on OpenLDAP").isFalse();
        live.replaceAll((k, v) -> password);
        for (String account : List.of("sp-pg-alice", "sp-my-alice", "sp-ldap-alice")) {
            JsonNode view = JSON.readTree(ok(call("GET", "/api/v1/accounts/" + account, admin(), null)).body());
            assertThat(view.get("status").asText()).as(account).isEqualTo("IN_SYNC");
        }
        // an admin may read anyone's status; the audit trail holds no password
        status(admin(), accepted.get("requestId").asText());
        String audit = ok(call("GET", "/api/v1/audit?limit=500", admin(), null)).body();
        assertThat(audit).contains("PASSWORD_SET_REQUEST").contains("TRANSPORT_KEY_ROTATE")
                .as("Bob's attempts on Alice's identity are on record").contains("password self-service for identity '" + ALICE + "'");
        for (String secret : secretsSeen) {
            assertThat(audit).doesNotContain(secret);
        }
    }

    @Test
    @Order(5)
    void aRotatedTransportKeyIsServedAndTheOldIdStaysAcceptedForTheGracePeriod() throws Exception {
        JsonNode before = queryInfo(aliceToken(), "alice.sp", "sp-my", 200);
        RotorProcess.Result rotated = rotor.run("vault", "rotate-transport-key", "--config", config.toString());
        assertThat(rotated.exitCode()).as(rotated.all()).isZero();
        JsonNode after = queryInfo(aliceToken(), "alice.sp", "sp-my", 200);
        assertThat(after.get("publicKeyId").asText()).isNotEqualTo(before.get("publicKeyId").asText());
        // the old key still decrypts within the grace period; the (weak) password then fails on the policy only
        String weak = "weak";
        JsonNode response = JSON.readTree(setPassword(aliceToken(), ALICE, opensslEncrypt(pem(before.get("publicKey").asText()), weak),
                before.get("publicKeyId").asText(), "sp-my-alice", "sp-my", 202).body());
        assertThat(response.get("state").asText()).isEqualTo("FAILED");
        assertOldPasswordsStillWork();
    }

    @Test
    @Order(6)
    void aClientThatCallsTooOftenGets429WithRetryAfter() throws Exception {
        HttpResponse<String> last = null;
        for (int i = 0; i <= RATE_LIMIT; i++) {
            last = call("POST", "/v3/query-password-info", bobToken(), "{\"userName\": \"bob.sp\", \"sourceName\": \"sp-pg\"}");
            if (last.statusCode() == 429) {
                break;
            }
        }
        assertThat(last.statusCode()).isEqualTo(429);
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
        assertThat(Long.parseLong(last.headers().firstValue("Retry-After").orElseThrow())).isPositive();
        assertThat(contract.responseProblems("/query-password-info", "POST", 429, last.body())).isEmpty();
        // the limit is per principal: Alice is not held up by Bob
        queryInfo(aliceToken(), "alice.sp", "sp-pg", 200);
    }

    @Test
    @Order(7)
    void aServerKilledWhileApplyingAGroupChangeSettlesTheRequestWithReasonsAfterRestart() throws Exception {
        ServeProcesses.stop(server);
        // the JVM halts (no shutdown hook) the 2nd time a change reaches the target: the first account is committed,
        // the second changed on its server but not yet in the vault, the third untouched
        startServer(List.of("-D" + io.rotor.workflow.CrashPoints.PROPERTY + "=TARGET_CHANGED:2"));
        JsonNode info = queryInfo(aliceToken(), "alice.sp", "sp-pg", 200);
        String password = groupPassword();
        secretsSeen.add(password);
        JsonNode accepted = JSON.readTree(setPassword(aliceToken(), ALICE, opensslEncrypt(pem(info.get("publicKey").asText()), password),
                info.get("publicKeyId").asText(), "sp-pg-alice", "sp-pg", 202).body());
        assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("the server halts at the crash point").isTrue();
        assertThat(server.exitValue()).isEqualTo(io.rotor.workflow.CrashPoints.HALT_STATUS);

        startServer(List.of());
        // an account still under the dead process's lease is settled by recovery when the lease expires; the
        // request is settled after it, never before (it would otherwise guess the account's outcome)
        JsonNode status = status(aliceToken(), accepted.get("requestId").asText());
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
             status.get("state").asText().equals("IN_PROGRESS") && System.nanoTime() < deadline; ) {
            Thread.sleep(500);
            status = status(aliceToken(), accepted.get("requestId").asText());
        }
        assertThat(status.get("state").asText()).as(status.toString()).isIn("FINISHED", "FAILED");
        assertThat(status.toString()).doesNotContain(password);
        Map<String, String> source = Map.of("sp-pg-alice", "sp-pg", "sp-my-alice", "sp-my", "sp-ldap-alice", "sp-ldap");
        String errors = status.get("errors").toString();
        int changed = 0;
        for (String account : List.of("sp-pg-alice", "sp-my-alice", "sp-ldap-alice")) {
            // nothing is PENDING and the vault's CURRENT logs in (a verify by a fresh login)
            JsonNode verified = JSON.readTree(ok(call("POST", "/api/v1/accounts/" + account + "/verify", admin(), null)).body());
            assertThat(verified.toString()).as(account).contains("IN_SYNC");
            boolean failedHere = errors.contains("source '" + source.get(account) + "'");
            boolean works = loginOn(account, password);
            assertThat(works).as(account + " has the new password exactly when the status says its source changed")
                    .isEqualTo(!failedHere);
            assertThat(loginOn(account, live.get(account))).as(account + ": the old password").isEqualTo(failedHere);
            if (works) {
                changed++;
                live.put(account, password);
            }
        }
        assertThat(changed).as("the first account was committed, the second recovered forward").isEqualTo(2);
        assertThat(status.get("state").asText()).isEqualTo("FAILED");
        assertThat(errors).contains("interrupted by a restart").contains("changed on source(s)");
    }

    private static boolean loginOn(String account, String password) throws Exception {
        return switch (account) {
            case "sp-pg-alice" -> targets.pgLogin(PG_USER, password.toCharArray());
            case "sp-my-alice" -> targets.mariaLogin(MY_USER, password.toCharArray());
            default -> ldapBinds(password);
        };
    }

    // ---------------------------------------------------------------- helpers

    private static void assertOldPasswordsStillWork() throws Exception {
        assertThat(targets.pgLogin(PG_USER, live.get("sp-pg-alice").toCharArray())).isTrue();
        assertThat(targets.mariaLogin(MY_USER, live.get("sp-my-alice").toCharArray())).isTrue();
        assertThat(ldapBinds(live.get("sp-ldap-alice"))).isTrue();
    }

    private static JsonNode queryInfo(String authorization, String user, String source, int expected) throws Exception {
        String body = JSON.createObjectNode().put("userName", user).put("sourceName", source).toString();
        assertThat(contract.requestProblems("/query-password-info", "POST", body)).isEmpty();
        return JSON.readTree(v3("POST", "/query-password-info", authorization, body, expected).body());
    }

    private static HttpResponse<String> setPassword(String authorization, String identity, String encrypted, String keyId,
                                                    String account, String source, int expected) throws Exception {
        String body = JSON.createObjectNode().put("identityId", identity).put("encryptedPassword", encrypted)
                .put("publicKeyId", keyId).put("accountId", account).put("sourceId", source).toString();
        assertThat(contract.requestProblems("/set-password", "POST", body)).isEmpty();
        return v3("POST", "/set-password", authorization, body, expected);
    }

    private static JsonNode status(String authorization, String id) throws Exception {
        return JSON.readTree(status(authorization, id, 200).body());
    }

    private static HttpResponse<String> status(String authorization, String id, int expected) throws Exception {
        return v3("GET", "/password-change-status/" + id, authorization, null, expected);
    }

    private static JsonNode awaitEnd(String authorization, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode status = status(authorization, id);
        while (status.get("state").asText().equals("IN_PROGRESS") && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(300);
            status = status(authorization, id);
        }
        return status;
    }

    /** One /v3 call: the status expected, and the answer valid against SailPoint's schema for that status. */
    private static HttpResponse<String> v3(String method, String path, String authorization, String body, int expected)
            throws Exception {
        HttpResponse<String> response = call(method, "/v3" + path, authorization, body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isEqualTo(expected);
        String bare = path.replaceFirst("\\?.*$", "");
        String template = bare.startsWith("/password-change-status/") ? "/password-change-status/{id}"
                : bare.matches("/password-sync-groups/.+") ? "/password-sync-groups/{id}"
                : bare.matches("/password-policies/.+") ? "/password-policies/{id}" : bare;
        if (expected != 204) {
            List<String> problems = contract.responseProblems(template, method, expected, response.body());
            if (problems.size() == 1 && problems.get(0).startsWith("the spec defines no")) {
                // SailPoint lists no 404 for query-password-info and set-password; Rotor answers its ErrorResponseDto
                assertThat(expected).isEqualTo(404);
                problems = contract.schemaProblems("ErrorResponseDto", response.body());
            }
            assertThat(problems).as(method + " " + path + " " + expected + ": " + response.body()).isEmpty();
        }
        return response;
    }

    /** The seed's step: the public key written as a PEM file. */
    private static Path pem(String publicKeyBase64) throws Exception {
        Path file = Files.createTempFile(home, "public_key", ".pem");
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                Base64.getDecoder().decode(publicKeyBase64)) + "\n-----END PUBLIC KEY-----\n");
        return file;
    }

    /** The seed's command, {@code echo -n "$PASSWORD" | openssl pkeyutl -encrypt -inkey public_key.pem -pubin | base64}. */
    private static String opensslEncrypt(Path pem, String password) throws Exception {
        return run(password.getBytes(StandardCharsets.UTF_8), "sh", "-c",
                "openssl pkeyutl -encrypt -inkey \"$1\" -pubin | base64", "sh", pem.toString()).trim();
    }

    private static String run(byte[] stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + err).isZero();
        return new String(out, StandardCharsets.US_ASCII);
    }

    private static String groupPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder s = new StringBuilder("Sp-");
        for (int i = 0; i < 20; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.append("_9x").toString();
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return "Init-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "-1a";
    }

    private static LDAPConnection ldapAdmin() throws Exception {
        LDAPConnection c = ldaps();
        c.bind(ldap.adminDn(), new String(ldap.adminPassword()));
        return c;
    }

    private static LDAPConnection ldaps() throws Exception {
        return new LDAPConnection(new SSLUtil(new PEMFileTrustManager(ldap.caFile().toFile())).createSSLSocketFactory(),
                ldap.host(), ldap.ldapsPort());
    }

    private static boolean ldapBinds(String password) throws Exception {
        try (LDAPConnection c = ldaps()) {
            c.bind("uid=" + LDAP_UID + "," + ou, password);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    private static HttpResponse<String> ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.request().method() + " " + response.request().uri() + ": "
                + response.body()).isBetween(200, 299);
        return response;
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (body != null || !method.equals("GET")) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String admin() {
        return "Bearer " + adminToken;
    }

    private static String aliceToken() {
        return "Bearer " + aliceToken;
    }

    private static String bobToken() {
        return "Bearer " + bobToken;
    }

    private static String auditor() {
        return "Bearer " + auditorToken;
    }
}
