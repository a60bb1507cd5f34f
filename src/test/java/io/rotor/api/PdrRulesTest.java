package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import io.rotor.domain.PredefinedRequest;
import io.rotor.domain.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PdrRulesTest {
    private static final Instant CHANGED = Instant.parse("2026-01-01T10:00:00Z");
    private static final PredefinedRequest RESET = new PredefinedRequest("nightly", "mass-password-reset", "",
            "{\"target\": \"pg\", \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"link\", \"batchSize\": 32, \"report\": true}",
            "admin", CHANGED, "admin", CHANGED);

    @Test
    void aPlanIsADrySucceededRunOfTheSameWorkflowAndParametersAfterTheLastChange() {
        Job plan = job("j1", "mass-password-reset", true, JobStatus.SUCCEEDED, CHANGED.plusSeconds(5));
        PdrRules.requirePlan(RESET, plan, json("{\"target\": [\"pg\"], \"vaultTarget\": \"vault\","
                + " \"vaultLinkAttribute\": \"link\", \"batchSize\": 32}"));
    }

    @Test
    void everythingElseIsRefusedWithTheReason() {
        JsonNode same = json("{\"target\": [\"pg\"], \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"link\", \"batchSize\": 32}");
        assertThat(PdrRules.planProblem(RESET, null, null)).contains("no plan");
        assertThat(PdrRules.planProblem(RESET, job("j", "mass-password-reset", false, JobStatus.SUCCEEDED, CHANGED.plusSeconds(1)), same))
                .contains("not a dry run");
        assertThat(PdrRules.planProblem(RESET, job("j", "single-user-offboard", true, JobStatus.SUCCEEDED, CHANGED.plusSeconds(1)), same))
                .contains("not mass-password-reset");
        assertThat(PdrRules.planProblem(RESET, job("j", "mass-password-reset", true, JobStatus.RUNNING, CHANGED.plusSeconds(1)), same))
                .contains("has not succeeded");
        assertThat(PdrRules.planProblem(RESET, job("j", "mass-password-reset", true, JobStatus.PARTIAL, CHANGED.plusSeconds(1)), same))
                .contains("has not succeeded");
        assertThat(PdrRules.planProblem(RESET, job("j", "mass-password-reset", true, JobStatus.SUCCEEDED, CHANGED.minusSeconds(1)), same))
                .contains("older than the last change");
        assertThat(PdrRules.planProblem(RESET, job("j", "mass-password-reset", true, JobStatus.SUCCEEDED, CHANGED.plusSeconds(1)),
                json("{\"target\": [\"pg\", \"other\"], \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"link\", \"batchSize\": 32}")))
                .contains("field 'target'");
        assertThat(PdrRules.planProblem(RESET, job("j", "mass-password-reset", true, JobStatus.SUCCEEDED, CHANGED.plusSeconds(1)),
                json("{\"target\": [\"pg\"], \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"link\", \"batchSize\": 64}")))
                .contains("field 'batchSize'");
        assertThatThrownBy(() -> PdrRules.requirePlan(RESET, null, null)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(409));
    }

    @Test
    void anOperatorRunsResetsAndOffboardsButOnlyAnAdminRunsAnOnboardAndAnAuditorNothing() {
        PredefinedRequest onboard = new PredefinedRequest("ob", "mass-onboard", "", "{}", "a", CHANGED, "a", CHANGED);
        PdrRules.requireMayRun(RESET, Role.OPERATOR);
        PdrRules.requireMayRun(onboard, Role.ADMIN);
        assertThatThrownBy(() -> PdrRules.requireMayRun(onboard, Role.OPERATOR)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> PdrRules.requireMayRun(RESET, Role.AUDITOR)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> PdrRules.requireMayRun(RESET, Role.IDENTITY)).isInstanceOf(ApiException.class);
    }

    @Test
    void savedFieldsAreCheckedByName() {
        assertThatThrownBy(() -> PdrRules.checkName("<img src=x>")).hasMessageContaining("field 'name'");
        assertThatThrownBy(() -> PdrRules.checkWorkflow("rm-rf")).hasMessageContaining("field 'workflow'");
        assertThatThrownBy(() -> PdrRules.checkParameters(json("[1]"))).hasMessageContaining("field 'parameters'");
        assertThatThrownBy(() -> PdrRules.checkParameters(json("{\"dryRun\": false}"))).hasMessageContaining("parameters.dryRun");
        assertThatThrownBy(() -> PdrRules.checkDescription("line\nbreak")).hasMessageContaining("field 'description'");
        assertThat(PdrRules.checkDescription("  <img src=x onerror=alert(1)>  ")).isEqualTo("<img src=x onerror=alert(1)>");
    }

    private static Job job(String id, String workflow, boolean dryRun, JobStatus status, Instant createdAt) {
        return new Job(id, workflow, status, "{}", dryRun, false, "op", createdAt, createdAt, null, 0, 0, 0, 0, false, null);
    }

    private static JsonNode json(String text) {
        try {
            return ApiJson.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
