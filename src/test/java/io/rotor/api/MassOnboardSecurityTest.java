package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.connector.LoginFacts;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attacks on mass onboard through the real REST API: an operator tries to put every login of a target under
 * management; an admin's request without a discovery filter (or with one that matches everything); a filter that
 * matches a superuser. Each is refused, and nothing is onboarded that should not be.
 */
class MassOnboardSecurityTest extends ApiSecurityTestSupport {
    private static final String BODY = """
            {"target": ["fleet"], "vaultUserTarget": "staff", "vaultTarget": "vault",
             "vaultAssociationAttribute": "owners", "vaultGroupAttribute": "groups",
             "vaultLinkAttribute": "backing_account", "vaultTemplateId": "tpl", "batchSize": 32%s}""";

    private String adminToken;

    @BeforeEach
    void aTargetWithAnAdminAccountASuperuserAndAnOrdinaryLogin() {
        adminToken = Credentials.newToken();
        auth.createToken("admin-1", Role.ADMIN, Credentials.tokenHash(adminToken), "test");
        vault.accounts().upsertAccount("fleet-admin", "fleet", "root", CredentialType.PASSWORD, null);
        target.passwords.put("root", "admin-secret-1");
        rotation.set("fleet-admin", Secret.fromUtf8("admin-secret-1".getBytes(StandardCharsets.UTF_8)), true, "test");
        // no discovery.filter on the target
        vault.targets().upsertTarget(new Target("fleet", "fake", "localhost", 1, null, TlsMode.DISABLE, "fleet-admin",
                null, Map.of()));
        target.passwords.put("app_user", "user-secret-1");
        target.facts.put("app_user", LoginFacts.NONE);
        target.passwords.put("app_su", "super-secret-1");
        target.facts.put("app_su", LoginFacts.privileges(Set.of("SUPERUSER")));
        vault.templates().ensureVaultTarget("test", "vault");
        vault.users().ensureUserTarget("test", "staff");
        vault.users().upsertUser("test", new VaultUser("alice", "staff", "alice", "Alice", false));
        vault.templates().upsertTemplate("test", new VaultTemplate("tpl", "vault", "{target}-{username}",
                Map.of("groups", List.of("ops"), "owners", List.of("alice"))));
    }

    private HttpResponse<String> post(String token, String extra) throws Exception {
        return send("POST", "/api/v1/workflows/mass-onboard", BODY.formatted(extra),
                "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    /** Submits as admin and waits for run-job to finish the job; answers its results. */
    private List<JsonNode> runAsAdmin(String extra) throws Exception {
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("run-job")
                .filter(e -> e.getProperty(Exchange.SPLIT_INDEX) == null).whenDone(1).create();
        HttpResponse<String> accepted = post(adminToken, extra);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String jobId = ApiJson.MAPPER.readTree(accepted.body()).get("jobId").asText();
        assertThat(done.matches(120, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> page = send("GET", "/api/v1/jobs/" + jobId + "/results?limit=1000", null,
                "Authorization", "Bearer " + adminToken);
        List<JsonNode> results = new ArrayList<>();
        ApiJson.MAPPER.readTree(page.body()).get("results").forEach(results::add);
        return results;
    }

    @Test
    void anOperatorMayNotOnboardAndNothingIsDiscoveredOrQueued() throws Exception {
        Map<String, String> before = new HashMap<>(target.passwords);

        HttpResponse<String> refused = post(operatorToken, ", \"discoveryFilter\": \"app%\"");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("FORBIDDEN").contains("role 'operator' may not do this")
                .contains("admin");
        assertThat(vault.jobs().count()).isZero();
        assertThat(target.lastDiscoverFilter).isNull();
        assertThat(vault.accounts().listAccounts("fleet")).extracting(a -> a.id()).containsExactlyInAnyOrder("bob", "fleet-admin");
        assertThat(target.passwords).isEqualTo(before);
    }

    @Test
    void withoutADiscoveryFilterTheRequestIsRefusedNamingTheFieldAndNothingChanges() throws Exception {
        HttpResponse<String> none = post(adminToken, "");
        HttpResponse<String> everything = post(adminToken, ", \"discoveryFilter\": \"%\"");
        HttpResponse<String> wrongType = post(adminToken, ", \"discoveryFilter\": 5");

        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.body()).contains("INVALID_FIELD").contains("field 'discoveryFilter'")
                .contains("target 'fleet' has no discovery.filter setting");
        assertThat(everything.statusCode()).isEqualTo(400);
        assertThat(everything.body()).contains("field 'discoveryFilter'").contains("matches every login");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(vault.jobs().count()).isZero();
        assertThat(target.lastDiscoverFilter).isNull();
        assertThat(vault.accounts().listAccounts("fleet")).hasSize(2);
    }

    @Test
    void aSuperuserTheFilterMatchesIsRefusedWithItsReasonInTheDryRunAndIsNotOnboardedByTheRun() throws Exception {
        List<JsonNode> plan = runAsAdmin(", \"discoveryFilter\": \"app%\", \"dryRun\": true");

        assertThat(plan).filteredOn(r -> "fleet.app_su".equals(r.path("accountId").asText()))
                .singleElement().satisfies(r -> {
                    assertThat(r.get("outcome").asText()).isEqualTo("REFUSED");
                    assertThat(r.get("reason").asText()).contains("privileged on the target: SUPERUSER");
                });
        assertThat(plan).filteredOn(r -> "fleet.app_user".equals(r.path("accountId").asText()))
                .extracting(r -> r.get("outcome").asText()).containsExactly("PLANNED");
        assertThat(vault.accounts().findAccount("fleet.app_user")).as("a dry run adds nothing").isEmpty();

        List<JsonNode> run = runAsAdmin(", \"discoveryFilter\": \"app%\"");

        assertThat(target.lastDiscoverFilter).isEqualTo("app%");
        assertThat(vault.accounts().findAccount("fleet.app_su")).isEmpty();
        assertThat(target.passwords.get("app_su")).isEqualTo("super-secret-1");
        assertThat(target.passwords.get("root")).isEqualTo("admin-secret-1");
        assertThat(vault.accounts().findAccount("fleet.app_user")).isPresent();
        assertThat(target.passwords.get("app_user")).isNotEqualTo("user-secret-1");
        assertThat(run).filteredOn(r -> r.get("outcome").asText().equals("REFUSED"))
                .extracting(r -> r.get("accountId").asText()).containsExactly("fleet.app_su");
    }
}
