package io.rotor.api;

import io.rotor.domain.Role;
import io.rotor.workflow.OperationResult.Outcome;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PermissionTest {

    @Test
    void anAuditorReadsTheInventoryAndTheAuditTrailAndNothingElse() {
        EnumSet<Permission> allowed = EnumSet.noneOf(Permission.class);
        for (Permission p : Permission.values()) {
            if (p.allows(Role.AUDITOR)) {
                allowed.add(p);
            }
        }
        assertThat(allowed).containsExactlyInAnyOrder(Permission.READ_INVENTORY, Permission.READ_AUDIT, Permission.READ_JOBS);
        assertThat(Permission.RUN_WORKFLOW.allows(Role.AUDITOR)).as("an auditor never runs a workflow").isFalse();
        assertThat(Permission.READ_SECRET.allows(Role.AUDITOR)).as("an auditor never reads a secret").isFalse();
    }

    @Test
    void anOperatorOperatesAndChecksOutButDoesNotChangeTheInventoryOrReadTheAudit() {
        assertThat(Permission.OPERATE.allows(Role.OPERATOR)).isTrue();
        assertThat(Permission.READ_SECRET.allows(Role.OPERATOR)).isTrue();
        assertThat(Permission.READ_INVENTORY.allows(Role.OPERATOR)).isTrue();
        assertThat(Permission.WRITE_INVENTORY.allows(Role.OPERATOR)).isFalse();
        assertThat(Permission.READ_AUDIT.allows(Role.OPERATOR)).isFalse();
    }

    @Test
    void onlyAnAdminOnboardsSinceOnboardingWritesTheInventory() {
        assertThat(Permission.ONBOARD.roles()).containsExactly(Role.ADMIN);
        assertThat(Permission.ONBOARD.allows(Role.OPERATOR)).isFalse();
        assertThat(Permission.RUN_WORKFLOW.allows(Role.OPERATOR)).as("the other workflows stay open to operators").isTrue();
    }

    @Test
    void anAdminMayDoEverything() {
        for (Permission p : Permission.values()) {
            assertThat(p.allows(Role.ADMIN)).as(p.name()).isTrue();
        }
    }

    @Test
    void noRoleMeansNoPermission() {
        for (Permission p : Permission.values()) {
            assertThat(p.allows(null)).isFalse();
        }
    }

    @Test
    void rolesParseFromTheirLowerCaseNames() {
        assertThat(Role.parse("admin")).isEqualTo(Role.ADMIN);
        assertThat(Role.parse(" Operator ")).isEqualTo(Role.OPERATOR);
        assertThat(Role.parse("AUDITOR")).isEqualTo(Role.AUDITOR);
        assertThatThrownBy(() -> Role.parse("root")).hasMessage("role must be one of admin, operator, auditor");
        assertThatThrownBy(() -> Role.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyOutcomeHasAStableStatus() {
        assertThat(OutcomeStatus.of(Outcome.SUCCEEDED)).isEqualTo(200);
        assertThat(OutcomeStatus.of(Outcome.RECOVERED_FORWARD)).isEqualTo(200);
        assertThat(OutcomeStatus.of(Outcome.RECONCILED)).isEqualTo(200);
        assertThat(OutcomeStatus.of(Outcome.BUSY)).isEqualTo(409);
        assertThat(OutcomeStatus.of(Outcome.OUT_OF_SYNC)).isEqualTo(409);
        assertThat(OutcomeStatus.of(Outcome.NEEDS_RECONCILE)).isEqualTo(409);
        assertThat(OutcomeStatus.of(Outcome.ROLLED_BACK)).isEqualTo(409);
        assertThat(OutcomeStatus.of(Outcome.RESTORED_PREVIOUS)).isEqualTo(409);
        assertThat(OutcomeStatus.of(Outcome.REJECTED)).isEqualTo(422);
        assertThat(OutcomeStatus.of(Outcome.FAILED)).isEqualTo(422);
        assertThat(OutcomeStatus.of(Outcome.UNREACHABLE)).isEqualTo(503);
        for (Outcome outcome : Outcome.values()) {
            assertThat(OutcomeStatus.of(outcome) == 200).as(outcome + ": 200 exactly when it succeeded")
                    .isEqualTo(outcome.success());
        }
    }
}
