package io.rotor.workflow;

import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.vault.AccessRepository;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.GroupRepository;
import io.rotor.vault.ResyncResult;
import org.apache.camel.Header;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Java side of the single-user-offboard routes ({@code routes/single-user-offboard*.camel.yaml}): the seed's
 * four steps on the vault model ({@link GroupRepository}, {@link AttributeRepository}, {@link AccessRepository}),
 * each recorded as one result of its own step. Every step is idempotent ("nothing changed" when run again). With
 * {@code dryRun} a step only records what it would do.
 */
public class SingleUserOffboard {
    public static final String WORKFLOW = "single-user-offboard";
    public static final String STEP_INHERIT = "inherit-groups";
    public static final String STEP_TRANSFER = "transfer-associations";
    public static final String STEP_LEAVE = "leave-groups";
    public static final String STEP_DISCOVERY = "vault-discovery";
    public static final List<String> STEPS = List.of(STEP_INHERIT, STEP_TRANSFER, STEP_LEAVE, STEP_DISCOVERY);

    private final WorkflowJobs workflowJobs;
    private final GroupRepository groups;
    private final AttributeRepository attributes;
    private final AccessRepository access;

    public SingleUserOffboard(WorkflowJobs workflowJobs, GroupRepository groups, AttributeRepository attributes,
                              AccessRepository access) {
        this.workflowJobs = workflowJobs;
        this.groups = groups;
        this.attributes = attributes;
        this.access = access;
    }

    public void plan(@Header("jobId") String jobId) {
        workflowJobs.jobs().setTotal(jobId, STEPS.size());
        workflowJobs.startSteps(jobId, STEPS);
    }

    /** Step 1: the inheriting user joins the departing user's groups. */
    public JobProgress inheritGroups(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                     @Header("userToOffboard") String from, @Header("userToInherit") String to,
                                     @Header("actor") String actor) {
        return step(jobId, STEP_INHERIT, dryRun, from,
                () -> "would add " + to + " to the groups of " + from + ": " + groupNames(from),
                () -> to + " joined " + groups.inheritGroups(actor, from, to) + " group(s) of " + from);
    }

    /** Step 2: the departing user's associations on the vault target move to the inheriting user. */
    public JobProgress transferAssociations(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                            @Header("userToOffboard") String from, @Header("userToInherit") String to,
                                            @Header("vaultTarget") String vaultTarget,
                                            @Header("vaultAssociationAttribute") String associationAttr,
                                            @Header("actor") String actor) {
        return step(jobId, STEP_TRANSFER, dryRun, from,
                () -> "would move the associations ('" + associationAttr + "') of " + from + " to " + to + " on "
                        + attributes.vaultAccountsWithAttributeValue(vaultTarget, associationAttr, from).size()
                        + " vault account(s)",
                () -> attributes.transferAssociations(actor, vaultTarget, associationAttr, from, to)
                        + " vault account(s) moved from " + from + " to " + to);
    }

    /** Step 3: the departing user leaves every group. */
    public JobProgress leaveGroups(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                   @Header("userToOffboard") String from, @Header("actor") String actor) {
        return step(jobId, STEP_LEAVE, dryRun, from,
                () -> "would remove " + from + " from " + groupNames(from),
                () -> from + " left " + groups.leaveAllGroups(actor, from) + " group(s)");
    }

    /** Step 4: vault discovery — access to the vault target's accounts is rebuilt from the new facts. */
    public JobProgress discovery(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                 @Header("userToOffboard") String from, @Header("vaultTarget") String vaultTarget,
                                 @Header("vaultAssociationAttribute") String associationAttr,
                                 @Header("actor") String actor) {
        return step(jobId, STEP_DISCOVERY, dryRun, from,
                () -> "would rebuild access to the accounts of vault target '" + vaultTarget + "'",
                () -> {
                    ResyncResult r = access.resync(actor, vaultTarget, associationAttr, null);
                    return "access rebuilt: " + r.added() + " added, " + r.removed() + " removed, " + r.total()
                            + " in all; " + from + " can use " + access.accessibleAccounts(from).size() + " account(s)";
                });
    }

    private String groupNames(String userId) {
        return groups.groupsOf(userId).stream().map(g -> g.id()).toList().toString();
    }

    private JobProgress step(String jobId, String step, Boolean dryRun, String userId, Supplier<String> plan,
                             Supplier<String> action) {
        Instant started = Instant.now();
        JobResult result;
        try {
            result = Boolean.TRUE.equals(dryRun)
                    ? new JobResult(null, null, step, "PLANNED", true, plan.get(), started, Instant.now(), null)
                    : new JobResult(null, null, step, "SUCCEEDED", true, action.get(), started, Instant.now(), null);
        } catch (RuntimeException e) {
            result = new JobResult(null, null, step, "FAILED", false, "user " + userId + ": " + e.getMessage(),
                    started, Instant.now(), null);
        }
        return workflowJobs.jobs().recordResult(jobId, result);
    }
}
