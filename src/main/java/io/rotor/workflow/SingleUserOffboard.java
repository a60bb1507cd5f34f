package io.rotor.workflow;

import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.vault.AccessRepository;
import io.rotor.vault.AccountLink;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.GroupRepository;
import io.rotor.vault.ResyncResult;
import org.apache.camel.Header;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The Java side of the single-user-offboard routes ({@code routes/single-user-offboard*.camel.yaml}): the seed's
 * four steps on the vault model ({@link GroupRepository}, {@link AttributeRepository}, {@link AccessRepository}),
 * each recorded as one result of its own step. Every step is idempotent ("nothing changed" when run again). With
 * {@code dryRun} a step only records what it would do. The request's {@code target} bounds the accounts touched:
 * associations move only on the vault accounts linked to backing accounts of those targets. The group steps act on
 * the vault user target's groups, as the seed's steps 1 and 3 do.
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

    /**
     * Step 2: the departing user's associations move to the inheriting user, on the vault accounts of the vault
     * target that are linked (through the link attribute) to a backing account on one of the request's targets.
     * Associations with vault accounts of other targets are left as they are, and the result counts them.
     */
    public JobProgress transferAssociations(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                            @Header("userToOffboard") String from, @Header("userToInherit") String to,
                                            @Header("target") List<String> targets,
                                            @Header("vaultTarget") String vaultTarget,
                                            @Header("vaultAssociationAttribute") String associationAttr,
                                            @Header("vaultLinkAttribute") String linkAttr,
                                            @Header("actor") String actor) {
        return step(jobId, STEP_TRANSFER, dryRun, from,
                () -> {
                    Set<String> scope = vaultAccountsOn(targets, vaultTarget, linkAttr);
                    long all = attributes.vaultAccountsWithAttributeValue(vaultTarget, associationAttr, from).size();
                    long inScope = attributes.vaultAccountsWithAttributeValue(vaultTarget, associationAttr, from).stream()
                            .filter(a -> scope.contains(a.id())).count();
                    return "would move the associations ('" + associationAttr + "') of " + from + " to " + to + " on "
                            + inScope + " vault account(s) linked to targets " + targets + "; " + (all - inScope)
                            + " on other targets are left as they are";
                },
                () -> {
                    Set<String> scope = vaultAccountsOn(targets, vaultTarget, linkAttr);
                    long all = attributes.vaultAccountsWithAttributeValue(vaultTarget, associationAttr, from).size();
                    int moved = attributes.transferAssociations(actor, vaultTarget, associationAttr, from, to, scope);
                    return moved + " vault account(s) linked to targets " + targets + " moved from " + from + " to " + to
                            + "; " + (all - moved) + " on other targets left as they are";
                });
    }

    /** The vault accounts linked to a backing account on one of {@code targets}; refuses a request naming none. */
    private Set<String> vaultAccountsOn(List<String> targets, String vaultTarget, String linkAttr) {
        if (targets == null || targets.isEmpty()) {
            throw new IllegalArgumentException("the request names no target: an offboard only touches the accounts of"
                    + " the targets it names");
        }
        Set<String> ids = new HashSet<>();
        for (AccountLink link : attributes.links(vaultTarget, linkAttr, targets)) {
            ids.add(link.vaultAccountId());
        }
        return ids;
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
