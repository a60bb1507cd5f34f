package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.vault.AccountRepository;
import io.rotor.domain.Target;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.UnknownAccountException;
import org.apache.camel.Header;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The Java side of the mass-password-reset routes ({@code routes/mass-password-reset*.camel.yaml}): the plan
 * (steps, total, streamed batches of account ids), which accounts of a batch are reset, the target of an account for
 * the per-target limit, and the dry run. The routes orchestrate; each account goes through
 * {@code direct:rotate-account} and {@link VaultSync}.
 *
 * <p>The seed resets "existing account pairs": an account that no vault account of the vault target links to is
 * skipped, with a SKIPPED result that says so. The targets' own accounts ({@link OwnAccounts}: admin, login and
 * enable-secret accounts) are skipped too unless the request sets {@value #INCLUDE_ADMIN_ACCOUNTS}; then they are
 * held back from the stream and rotated in batches of their own after every other account (elevation accounts
 * first, admin accounts last), since every other change goes through them.
 */
public class MassPasswordReset {
    public static final String WORKFLOW = "mass-password-reset";
    /** Steps 1 and 2 of the seed happen together, per account, inside the rotation protocol. */
    public static final String STEP_UPDATE = "generate-and-update-backing-accounts";
    public static final String STEP_SYNC = "synchronise-vault-accounts";
    public static final List<String> STEPS = List.of(STEP_UPDATE, STEP_SYNC);
    /** Request field (and job parameter): also rotate the targets' own accounts, last. */
    public static final String INCLUDE_ADMIN_ACCOUNTS = "includeAdminAccounts";
    public static final String SKIPPED = "SKIPPED";

    private final WorkflowJobs workflowJobs;
    private final BatchPlanner planner;
    private final AccountRepository accounts;
    private final AttributeRepository attributes;
    private final TargetRepository targets;
    private final VaultSync vaultSync;

    public MassPasswordReset(WorkflowJobs workflowJobs, BatchPlanner planner, AccountRepository accounts,
                             AttributeRepository attributes, TargetRepository targets) {
        this(workflowJobs, planner, accounts, attributes, targets, null);
    }

    public MassPasswordReset(WorkflowJobs workflowJobs, BatchPlanner planner, AccountRepository accounts,
                             AttributeRepository attributes, TargetRepository targets, VaultSync vaultSync) {
        this.vaultSync = vaultSync;
        this.workflowJobs = workflowJobs;
        this.planner = planner;
        this.accounts = accounts;
        this.attributes = attributes;
        this.targets = targets;
    }

    /** Declares the two steps and the total (two results per account: its update, then its vault sync). */
    public long plan(@Header("jobId") String jobId, @Header("target") List<String> targets) {
        long accounts = planner.countAccounts(targets);
        workflowJobs.jobs().setTotal(jobId, accounts * STEPS.size());
        workflowJobs.startSteps(jobId, STEPS);
        return accounts;
    }

    /**
     * The accounts of the targets in batches, read page by page, handed out until a cancel is requested. With
     * {@code includeAdminAccounts} the targets' own accounts are held back and come last, in batches of their own:
     * first the elevation (login, enable-secret) accounts, then the admin accounts.
     */
    public Iterator<List<String>> batches(@Header("jobId") String jobId, @Header("target") List<String> targets,
                                          @Header("batchSize") Integer batchSize,
                                          @Header(INCLUDE_ADMIN_ACCOUNTS) Boolean includeAdminAccounts) {
        if (!Boolean.TRUE.equals(includeAdminAccounts)) {
            return workflowJobs.untilCancelled(jobId, planner.accountBatches(targets, batchSize));
        }
        List<List<String>> last = ownAccountsLast(targets);
        Set<String> heldBack = new HashSet<>();
        last.forEach(heldBack::addAll);
        return workflowJobs.untilCancelled(jobId,
                planner.accountBatches(targets, batchSize, heldBack, last));
    }

    /**
     * The own accounts on {@code targetIds}, as the batches that end the run: the elevation accounts, then the admin
     * accounts (each list left out when empty).
     */
    List<List<String>> ownAccountsLast(Collection<String> targetIds) {
        Set<String> onTargets = new HashSet<>(targetIds);
        Set<String> elevation = new TreeSet<>();
        Set<String> admins = new TreeSet<>();
        for (Target target : targets.listTargets()) {
            for (String id : OwnAccounts.of(target)) {
                accounts.findAccount(id).filter(a -> onTargets.contains(a.targetId()))
                        .ifPresent(a -> (id.equals(target.adminAccountId()) ? admins : elevation).add(id));
            }
        }
        elevation.removeAll(admins);
        List<List<String>> last = new ArrayList<>();
        if (!elevation.isEmpty()) {
            last.add(List.copyOf(elevation));
        }
        if (!admins.isEmpty()) {
            last.add(List.copyOf(admins));
        }
        return last;
    }

    /**
     * Which accounts of a batch are reset: the others are recorded SKIPPED under both steps, with the reason — an
     * account no vault account links to (not a pair), or a target's own account when the request did not ask for
     * them. Out: the ids to reset, in order.
     */
    public List<String> select(List<String> accountIds, @Header("jobId") String jobId,
                               @Header("vaultTarget") String vaultTarget,
                               @Header("vaultLinkAttribute") String linkAttr,
                               @Header(INCLUDE_ADMIN_ACCOUNTS) Boolean includeAdminAccounts) {
        Set<String> own = new HashSet<>();
        targets.listTargets().forEach(t -> own.addAll(OwnAccounts.of(t)));
        boolean includeOwn = Boolean.TRUE.equals(includeAdminAccounts);
        List<String> selected = new ArrayList<>(accountIds.size());
        List<JobResult> skipped = new ArrayList<>();
        Instant now = Instant.now();
        for (String accountId : accountIds) {
            String reason = null;
            if (own.contains(accountId)) {
                if (!includeOwn) {
                    reason = "a target's own admin or login account: rotated only when the request sets "
                            + INCLUDE_ADMIN_ACCOUNTS + " (and then after every other account)";
                }
            } else if (attributes.linkedVaultAccounts(vaultTarget, linkAttr, accountId).isEmpty()) {
                reason = "no vault account on '" + vaultTarget + "' is linked to it through '" + linkAttr
                        + "': not an account pair, so its password is not reset";
            }
            if (reason == null) {
                selected.add(accountId);
                continue;
            }
            String targetId = targetOf(accountId);
            skipped.add(new JobResult(accountId, targetId, STEP_UPDATE, SKIPPED, true, reason, now, now, 0L));
            skipped.add(new JobResult(accountId, null, STEP_SYNC, SKIPPED, true, "nothing to synchronise: the account"
                    + " was skipped", now, now, 0L));
        }
        workflowJobs.jobs().recordResults(jobId, skipped);
        return selected;
    }

    /**
     * Step "synchronise-vault-accounts" for a batch (the repair of pairs still out of step, vault only): one result per
     * account, recorded in one transaction. Out: the batch's {@link BatchResults}, as the aggregated split gives.
     */
    public BatchResults synchronise(List<String> accountIds, @Header("jobId") String jobId,
                                    @Header("vaultTarget") String vaultTarget,
                                    @Header("vaultLinkAttribute") String linkAttr, @Header("actor") String actor) {
        BatchResults batch = new BatchResults(jobId);
        if (vaultSync == null) {
            throw new IllegalStateException("massPasswordReset was made without a VaultSync");
        }
        Instant started = Instant.now();
        for (OperationResult r : vaultSync.syncLinkedAll(accountIds, vaultTarget, linkAttr, actor)) {
            Instant finished = Instant.now();
            batch.add(new JobResult(r.accountId(), null, STEP_SYNC, r.outcome().name(), r.success(), r.detail(),
                    started, finished, null));
            started = finished;
        }
        batch.recorded(workflowJobs.jobs().recordResults(jobId, batch.results()));
        return batch;
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
