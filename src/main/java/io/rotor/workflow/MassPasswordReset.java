package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.UnknownAccountException;
import org.apache.camel.Header;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Java side of the mass-password-reset routes ({@code routes/mass-password-reset*.camel.yaml}): the plan
 * (steps, total, streamed batches of account ids), the target of an account for the per-target limit, and the dry
 * run. The routes orchestrate; each account goes through {@code direct:rotate-account} and {@link VaultSync}.
 */
public class MassPasswordReset {
    public static final String WORKFLOW = "mass-password-reset";
    /** Steps 1 and 2 of the seed happen together, per account, inside the rotation protocol. */
    public static final String STEP_UPDATE = "generate-and-update-backing-accounts";
    public static final String STEP_SYNC = "synchronise-vault-accounts";
    public static final List<String> STEPS = List.of(STEP_UPDATE, STEP_SYNC);

    private final WorkflowJobs workflowJobs;
    private final BatchPlanner planner;
    private final AccountRepository accounts;
    private final AttributeRepository attributes;

    public MassPasswordReset(WorkflowJobs workflowJobs, BatchPlanner planner, AccountRepository accounts,
                             AttributeRepository attributes) {
        this.workflowJobs = workflowJobs;
        this.planner = planner;
        this.accounts = accounts;
        this.attributes = attributes;
    }

    /** Declares the two steps and the total (two results per account: its update, then its vault sync). */
    public long plan(@Header("jobId") String jobId, @Header("target") List<String> targets) {
        long accounts = planner.countAccounts(targets);
        workflowJobs.jobs().setTotal(jobId, accounts * STEPS.size());
        workflowJobs.startSteps(jobId, STEPS);
        return accounts;
    }

    /** The accounts of the targets in batches, read page by page, handed out until a cancel is requested. */
    public Iterator<List<String>> batches(@Header("jobId") String jobId, @Header("target") List<String> targets,
                                          @Header("batchSize") Integer batchSize) {
        return workflowJobs.untilCancelled(jobId, planner.accountBatches(targets, batchSize));
    }

    /** The target of an account (for the per-target concurrency limit and the result rows). */
    public String targetOf(String accountId) {
        return accounts.findAccount(accountId).map(Account::targetId)
                .orElseThrow(() -> new UnknownAccountException(accountId));
    }

    /**
     * Dry run of one batch: records, per account and in order, what the run would do — the rotation on its target,
     * then the copy into its linked vault accounts — as PLANNED results. No target and no credential is touched.
     */
    public JobProgress dryRunBatch(List<String> accountIds, @Header("jobId") String jobId,
                                   @Header("vaultTarget") String vaultTarget,
                                   @Header("vaultLinkAttribute") String linkAttr) {
        List<JobResult> plan = new ArrayList<>(accountIds.size() * 2);
        Instant now = Instant.now();
        for (String accountId : accountIds) {
            String targetId = targetOf(accountId);
            plan.add(new JobResult(accountId, targetId, STEP_UPDATE, "PLANNED", true,
                    "would generate a new password from the account's policy and set it on target '" + targetId
                            + "' through the rotation protocol", now, now, 0L));
        }
        for (String accountId : accountIds) {
            List<String> linked = attributes.linkedVaultAccounts(vaultTarget, linkAttr, accountId).stream()
                    .map(Account::id).collect(Collectors.toList());
            plan.add(new JobResult(accountId, null, STEP_SYNC, "PLANNED", true, linked.isEmpty()
                    ? "no linked vault account: nothing to synchronise"
                    : "would store the new password in vault account(s) " + String.join(", ", linked)
                    + " (vault only)", now, now, 0L));
        }
        return workflowJobs.jobs().recordResults(jobId, plan);
    }
}
