package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Job;
import io.rotor.domain.JobResult;
import io.rotor.domain.JobStatus;
import io.rotor.domain.NewJob;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.StoredCredential;
import io.rotor.workflow.DriftService;
import io.rotor.workflow.JobStore;
import io.rotor.workflow.MassPasswordReset;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.OperationResult.Outcome;
import io.rotor.workflow.OperationTally;
import io.rotor.workflow.VaultSync;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The no-lockout and checkout rules through the shipped routes (docs/architecture.md, "Automatic work"): the
 * heartbeat (verify-all) leaves OUT_OF_SYNC, NEEDS_RECONCILE, DISABLED and checked-out accounts alone; a mass password
 * reset records SKIPPED_CHECKED_OUT for a checked-out account, which rotates at its checkin; and the drift report,
 * its repair and re-enabling through the REST API with their roles.
 */
class AutomaticWorkRoutesTest extends ApiSecurityTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LINK = "backing_account";

    private String adminToken;
    private String auditorToken;
    private JobStore jobs;

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        jobs = registry.lookupByNameAndType("jobStore", JobStore.class);
        registry.bind("apiAutomaticWork", new AutomaticWorkApi(new DriftService(vault.accounts(), vault.targets(),
                vault.credentials(), new VaultSync(vault.credentials(), vault.attributes()), vault.audit(),
                java.time.Clock.systemUTC()), vault.accounts(), vault.targets()));
        adminToken = token("admin-1", Role.ADMIN);
        auditorToken = token("auditor-1", Role.AUDITOR);
        for (String id : List.of("good", "drifted", "disabled", "stuck", "held")) {
            addAccount(id);
        }
        vault.templates().ensureVaultTarget("test", "vault");
        for (String id : List.of("good", "drifted", "held")) {
            vault.accounts().upsertAccount("v-" + id, "vault", id, CredentialType.PASSWORD, null);
            rotation.set("v-" + id, secret(INITIAL), true, "test");
            vault.attributes().setAttribute("test", "v-" + id, LINK, List.of(id));
        }
    }

    private String token(String name, Role role) {
        String token = Credentials.newToken();
        auth.createToken(name, role, Credentials.tokenHash(token), "test");
        return token;
    }

    private static Secret secret(String value) {
        return Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    private String current(String accountId) {
        try (StoredCredential c = vault.credentials().read(accountId, Slot.CURRENT).orElseThrow()) {
            return c.secret().reveal();
        }
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        return send(method, path, null, "Authorization", "Bearer " + token, "Content-Type", "application/json");
    }

    /** drifted: OUT_OF_SYNC; disabled: DISABLED after failures; stuck: NEEDS_RECONCILE; held: checked out. */
    private void driftSomeAccounts() {
        target.passwords.put("drifted", "changed-behind-rotors-back");
        assertThat(rotation.verify("drifted", "cli:ops").outcome()).isEqualTo(Outcome.OUT_OF_SYNC);
        for (int i = 0; i < 5; i++) {
            vault.accounts().recordOutcome("disabled", true, 5, Duration.ofHours(1), "rotate REJECTED: policy", "test");
        }
        target.passwords.put("stuck", "nobody-knows");
        var lock = vault.accounts().tryLock("stuck", Duration.ofMinutes(1)).orElseThrow();
        vault.credentials().writePending(lock, "r1", secret("a-guess-that-never-took"),
                AuditRecord.of("test", "PENDING_WRITTEN", "stuck", "fleet", "r1", "PENDING", "test"));
        vault.accounts().unlock(lock);
        assertThat(rotation.recover("stuck", "cli:ops").outcome()).isEqualTo(Outcome.NEEDS_RECONCILE);
        vault.accounts().checkOut("held", "api:token:operator-1", AuditRecord.of("api:token:operator-1", "REVEAL", "held",
                "fleet", null, "SUCCEEDED", "checked out"));
    }

    @Test
    void theHeartbeatLeavesAccountsKnownNotToLogInDisabledOrCheckedOutAlone() {
        driftSomeAccounts();
        int refused = target.refusedLogins;

        OperationTally last = null;
        for (int run = 0; run < 6; run++) {
            last = template.requestBodyAndHeader("direct:verify-all", null, "actor", "heartbeat", OperationTally.class);
        }

        assertThat(target.refusedLogins).as("six heartbeats add no failed login").isEqualTo(refused);
        assertThat(last.results()).extracting(OperationResult::accountId).doesNotContain("drifted", "disabled", "stuck");
        assertThat(last.results()).filteredOn(r -> r.accountId().equals("held")).singleElement()
                .satisfies(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.SKIPPED_CHECKED_OUT);
                    assertThat(r.detail()).contains("checked out by api:token:operator-1");
                });
        assertThat(last.results()).filteredOn(r -> r.accountId().equals("good")).singleElement()
                .extracting(OperationResult::outcome).isEqualTo(Outcome.SUCCEEDED);
        // and the entry points refuse them too, should a list ever hand one out
        assertThat(rotation.verify("drifted", "heartbeat").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(rotation.verify("disabled", "heartbeat").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(rotation.verify("stuck", "heartbeat").outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(target.refusedLogins).isEqualTo(refused);
    }

    @Test
    void aBulkJobSkipsACheckedOutAccountAndTheAccountRotatesAtCheckin() throws Exception {
        assertThat(call("POST", "/api/v1/accounts/held/checkout", operatorToken).statusCode()).isEqualTo(200);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("target", List.of("fleet"));
        parameters.put("vaultTarget", "vault");
        parameters.put("vaultLinkAttribute", LINK);
        parameters.put("batchSize", 32);
        Job queued = jobs.create(new NewJob(MassPasswordReset.WORKFLOW, parameters, false, false, "api:token:operator-2"));

        Job job = template.requestBodyAndHeader("direct:mass-password-reset", null, "jobId", queued.id(), Job.class);

        assertThat(job.status()).isEqualTo(JobStatus.PARTIAL);
        JobResult skipped = jobs.results(job.id(), 0, 100).stream()
                .filter(r -> r.accountId().equals("held") && r.step().equals(MassPasswordReset.STEP_UPDATE))
                .findFirst().orElseThrow();
        assertThat(skipped.outcome()).isEqualTo("SKIPPED_CHECKED_OUT");
        assertThat(skipped.success()).isFalse();
        assertThat(skipped.reason()).contains("api:token:operator-1").contains("checkin");
        assertThat(current("held")).as("the holder's password is left alone").isEqualTo(INITIAL);
        assertThat(target.passwords.get("held")).isEqualTo(INITIAL);
        assertThat(target.passwords.get("good")).as("the others rotated").isNotEqualTo(INITIAL).isEqualTo(current("good"));

        HttpResponse<String> in = call("POST", "/api/v1/accounts/held/checkin", operatorToken);

        assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
        assertThat(JSON.readTree(in.body()).get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(current("held")).as("rotated at checkin").isNotEqualTo(INITIAL).isEqualTo(target.passwords.get("held"));
    }

    @Test
    void theDriftReportNamesEachKindOfDriftAndNeverASecret() throws Exception {
        driftSomeAccounts();
        rotation.set("v-drifted", secret("stale-vault-copy-1"), true, "test");

        HttpResponse<String> out = call("GET", "/api/v1/drift", auditorToken);

        assertThat(out.statusCode()).as(out.body()).isEqualTo(200);
        assertThat(out.body()).doesNotContain(INITIAL).doesNotContain("stale-vault-copy-1");
        JsonNode fleet = JSON.readTree(out.body()).get("targets").get(0);
        assertThat(fleet.get("targetId").asText()).isEqualTo("fleet");
        Map<String, String> problems = new LinkedHashMap<>();
        fleet.get("accountDrift").forEach(a -> problems.put(a.get("accountId").asText(), a.get("problem").asText()));
        assertThat(problems).containsExactlyInAnyOrderEntriesOf(Map.of("drifted", "CURRENT_REJECTED", "disabled", "DISABLED",
                "stuck", "NEEDS_RECONCILE"));
        assertThat(fleet.get("linkDrift")).hasSize(1);
        assertThat(fleet.get("linkDrift").get(0).get("vaultAccountId").asText()).isEqualTo("v-drifted");
        assertThat(fleet.get("linkDrift").get(0).get("problem").asText()).isEqualTo("DIFFERS");

        assertThat(call("GET", "/api/v1/drift", operatorToken).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/drift?target=ghost", auditorToken).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/v1/drift?target=vault", auditorToken).statusCode()).isEqualTo(400);
    }

    @Test
    void onlyAnAdminRepairsDriftAndTheRepairIsAudited() throws Exception {
        rotation.set("v-drifted", secret("stale-vault-copy-1"), true, "test");

        assertThat(call("POST", "/api/v1/drift/repair", auditorToken).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/drift/repair", operatorToken).statusCode()).isEqualTo(403);
        assertThat(current("v-drifted")).isEqualTo("stale-vault-copy-1");

        HttpResponse<String> repaired = call("POST", "/api/v1/drift/repair?target=fleet", adminToken);

        assertThat(repaired.statusCode()).as(repaired.body()).isEqualTo(200);
        assertThat(repaired.body()).doesNotContain(INITIAL).doesNotContain("stale-vault-copy-1");
        assertThat(JSON.readTree(repaired.body()).get("linksRepaired").asInt()).isEqualTo(1);
        assertThat(current("v-drifted")).isEqualTo(current("drifted"));
        assertThat(vault.audit().trail(null, 200)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("DRIFT_REPAIR");
            assertThat(a.actor()).isEqualTo("api:token:admin-1");
        });
        assertThat(vault.audit().trail("v-drifted", 20)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("LINKED_UPDATE");
            assertThat(a.actor()).isEqualTo("api:token:admin-1");
        });
    }

    @Test
    void onlyAnAdminReEnablesADisabledAccount() throws Exception {
        for (int i = 0; i < 5; i++) {
            vault.accounts().recordOutcome("disabled", true, 5, Duration.ofHours(1), "rotate REJECTED: policy", "test");
        }
        assertThat(rotation.rotate("disabled", "schedule").outcome()).isEqualTo(Outcome.SKIPPED);

        assertThat(call("POST", "/api/v1/accounts/disabled/enable", operatorToken).statusCode()).isEqualTo(403);
        assertThat(vault.accounts().findAccount("disabled").orElseThrow().status()).isEqualTo(AccountStatus.DISABLED);

        HttpResponse<String> enabled = call("POST", "/api/v1/accounts/disabled/enable", adminToken);

        assertThat(enabled.statusCode()).as(enabled.body()).isEqualTo(200);
        assertThat(JSON.readTree(enabled.body()).get("status").asText()).isEqualTo("UNVERIFIED");
        assertThat(vault.audit().trail("disabled", 20)).anySatisfy(a -> {
            assertThat(a.operation()).isEqualTo("ENABLE");
            assertThat(a.actor()).isEqualTo("api:token:admin-1");
        });
        assertThat(rotation.rotate("disabled", "schedule").outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(call("POST", "/api/v1/accounts/disabled/enable", adminToken).statusCode()).isEqualTo(409);
        assertThat(call("POST", "/api/v1/accounts/ghost/enable", adminToken).statusCode()).isEqualTo(404);
    }
}
