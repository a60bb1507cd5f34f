package io.rotor.console;

import io.rotor.domain.AccountStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What each role is shown follows the API's permissions: an auditor reads, and never a secret or an action. */
class ConsolePagesTest {
    private static ConsolePages.Page as(String role) {
        return new ConsolePages.Page("t", "accounts", "someone", role, "token");
    }

    @Test
    void anAdminSeesEverything() {
        ConsolePages.Page admin = as("admin");
        assertThat(admin.inventory() && admin.jobs() && admin.operate() && admin.secrets() && admin.audit()
                && admin.editPdrs() && admin.runPdrs()).isTrue();
    }

    @Test
    void anOperatorActsAndChecksOutButNeitherEditsPdrsNorReadsTheAuditTrail() {
        ConsolePages.Page operator = as("operator");
        assertThat(operator.operate()).isTrue();
        assertThat(operator.secrets()).isTrue();
        assertThat(operator.runPdrs()).isTrue();
        assertThat(operator.editPdrs()).isFalse();
        assertThat(operator.audit()).isFalse();
    }

    @Test
    void anAuditorReadsButHasNoActionAndNoSecret() {
        ConsolePages.Page auditor = as("auditor");
        assertThat(auditor.inventory()).isTrue();
        assertThat(auditor.jobs()).isTrue();
        assertThat(auditor.audit()).isTrue();
        assertThat(auditor.operate()).isFalse();
        assertThat(auditor.secrets()).isFalse();
        assertThat(auditor.runPdrs()).isFalse();
        assertThat(auditor.editPdrs()).isFalse();
    }

    @Test
    void anIdentityAndNoOneSeeNothingOfTheInventory() {
        for (ConsolePages.Page page : new ConsolePages.Page[]{as("identity"), ConsolePages.Page.anonymous("x")}) {
            assertThat(page.inventory() || page.jobs() || page.operate() || page.secrets() || page.audit()).isFalse();
        }
        assertThat(ConsolePages.Page.anonymous("x").signedIn()).isFalse();
    }

    @Test
    void theCurrentPageIsMarkedForScreenReaders() {
        assertThat(as("admin").current("accounts")).isEqualTo("page");
        assertThat(as("admin").current("jobs")).isNull();
    }

    @Test
    void theDashboardListsTheStatusesNeedingAttentionFirst() {
        assertThat(Console.STATUS_ORDER.subList(0, 4)).containsExactly(AccountStatus.OUT_OF_SYNC,
                AccountStatus.NEEDS_RECONCILE, AccountStatus.PENDING, AccountStatus.DISABLED);
        assertThat(Console.STATUS_ORDER).containsExactlyInAnyOrder(AccountStatus.values());
        assertThat(Console.needsAttention("OUT_OF_SYNC")).isTrue();
        assertThat(Console.needsAttention("DISABLED")).isTrue();
        assertThat(Console.needsAttention("IN_SYNC")).isFalse();
        assertThat(Console.needsAttention("UNVERIFIED")).isFalse();
    }
}
