package io.rotor.console;

import io.rotor.api.JobApi;
import io.rotor.api.PdrApi;
import io.rotor.api.Permission;
import io.rotor.api.Views;
import io.rotor.domain.Role;

import java.util.List;

/**
 * What each console page shows: one record per template (src/main/jte), built by {@link Console}. Templates escape
 * every value (jte's HTML content type), so a record may carry any text a target or a user typed.
 */
public final class ConsolePages {
    private ConsolePages() {
    }

    /** The frame of every page: who is signed in and what the role may see and press (from {@link Permission}). */
    public record Page(String title, String active, String username, String role, String csrf) {
        public static Page anonymous(String title) {
            return new Page(title, "", null, null, null);
        }

        public boolean signedIn() {
            return username != null;
        }

        private boolean may(Permission permission) {
            return role != null && permission.allows(Role.parse(role));
        }

        public boolean inventory() {
            return may(Permission.READ_INVENTORY);
        }

        public boolean jobs() {
            return may(Permission.READ_JOBS);
        }

        public boolean operate() {
            return may(Permission.OPERATE);
        }

        public boolean secrets() {
            return may(Permission.READ_SECRET);
        }

        public boolean audit() {
            return may(Permission.READ_AUDIT);
        }

        public boolean editPdrs() {
            return may(Permission.WRITE_INVENTORY);
        }

        public boolean runPdrs() {
            return may(Permission.RUN_WORKFLOW);
        }

        public String current(String page) {
            return page.equals(active) ? "page" : null;
        }
    }

    public record SignIn(Page page, String token, String error, String username) {
    }

    public record StatusCount(String status, long count, boolean attention) {
    }

    /** A target's last health check; address and reason only for roles that may read them (admin, auditor). */
    public record TargetHealth(String id, String type, String state, String address, String reason, String checkedAt) {
    }

    public record Dashboard(Page page, List<StatusCount> statuses, List<Views.AccountView> attention,
                            List<JobApi.JobView> running, List<TargetHealth> targets) {
    }

    public record Accounts(Page page, String query, String status, String target, List<Views.AccountView> accounts,
                           List<String> statuses, List<String> targets, String message) {
    }

    public record Targets(Page page, List<Views.TargetView> targets, List<TargetHealth> health) {
        public String state(String targetId) {
            return health.stream().filter(h -> h.id().equals(targetId)).map(TargetHealth::state).findFirst().orElse("unchecked");
        }
    }

    /** The one answer that shows a secret: the checkout, rendered once and never cached. */
    public record Checkout(Page page, String accountId, String target, String username, long version, String secret) {
    }

    public record Jobs(Page page, List<JobApi.JobView> jobs) {
    }

    public record JobDetail(Page page, JobApi.JobView job, List<JobApi.ResultView> results, long resultCount,
                            String outcome, List<String> outcomes, boolean running, String pdr, boolean confirmable) {
    }

    public record Pdrs(Page page, List<PdrApi.PdrView> pdrs, List<String> workflows, String message) {
    }

    public record AuditRow(String at, String actor, String operation, String account, String target, String outcome,
                           String detail) {
    }

    public record Audit(Page page, List<AuditRow> rows, String account, String actor, String operation, String outcome) {
    }

    public record Error(Page page, int status, String message) {
    }

    public record Identity(Page page) {
    }
}
