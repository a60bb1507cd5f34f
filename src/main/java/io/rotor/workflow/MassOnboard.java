package io.rotor.workflow;

import io.rotor.connector.DiscoverResult;
import io.rotor.connector.LoginFacts;
import io.rotor.domain.Account;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Ids;
import io.rotor.domain.Job;
import io.rotor.domain.JobProgress;
import io.rotor.domain.JobResult;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.UsernameRules;
import io.rotor.domain.VaultTemplate;
import io.rotor.vault.AccessRepository;
import io.rotor.vault.AccountLink;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AttributeRepository;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.GroupRepository;
import io.rotor.vault.ResyncResult;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.TemplateRepository;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultAccountCreation;
import io.rotor.workflow.OperationResult.Outcome;
import org.apache.camel.Header;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The Java side of the mass-onboard routes ({@code routes/mass-onboard*.camel.yaml}): the seed's six steps.
 * <ol>
 *   <li>{@value #STEP_GROUPS}: the user groups the onboarded accounts will be granted to (the template's group
 *       attribute values and those of the accounts) are created on the vault user target when missing;</li>
 *   <li>{@value #STEP_MEMBERS}: the template's associated users join the template's groups, and each account's
 *       own associated users join that account's own groups;</li>
 *   <li>{@value #STEP_DISCOVERY}: each target's connector lists its login accounts through the target's admin
 *       account (filter: the request's {@value #DISCOVERY_FILTER_FIELD}, else the target setting
 *       {@value #DISCOVERY_FILTER}; never none); new ones that the {@link OnboardDenyList} lets through are added
 *       to the vault, refused ones are recorded with the reason; then the vault target's access is
 *       resynchronised;</li>
 *   <li>+5 {@value #STEP_PASSWORDS}: per account, a password generated from its policy is set on the target through
 *       the admin account by the rotation protocol ({@code direct:reconcile-account}: PENDING first, verified by a
 *       fresh login, committed) — generation and update are one protocol run, as in a mass password reset;</li>
 *   <li>{@value #STEP_VAULT_ACCOUNTS}: per account, a vault account from the template, linked to it, grouped and
 *       associated, holding the same password; the step ends with a resync so access reflects the new accounts.</li>
 * </ol>
 * The accounts onboarded are those of the targets that no vault account of the vault target links to yet and that
 * the deny-list lets through (the targets' own accounts never), so a job that stopped half-way can simply be run
 * again. Every step is idempotent. A dry run changes nothing: its discovery only lists the targets' logins (through
 * the admin account, read-only) so that it names each login that would be onboarded and each one refused, and why.
 */
public class MassOnboard {
    public static final String WORKFLOW = "mass-onboard";
    public static final String STEP_GROUPS = "create-user-groups";
    public static final String STEP_MEMBERS = "add-group-members";
    public static final String STEP_DISCOVERY = "vault-discovery";
    public static final String STEP_PASSWORDS = "generate-and-set-initial-passwords";
    public static final String STEP_VAULT_ACCOUNTS = "create-vault-accounts";
    public static final List<String> STEPS = List.of(STEP_GROUPS, STEP_MEMBERS, STEP_DISCOVERY, STEP_PASSWORDS,
            STEP_VAULT_ACCOUNTS);
    /** Target setting: the connector's discovery filter (a LIKE pattern for databases); see {@link #discoveryFilter}. */
    public static final String DISCOVERY_FILTER = "discovery.filter";
    /** Request field (and job parameter): the discovery filter of this run, for every target; see {@link #discoveryFilter}. */
    public static final String DISCOVERY_FILTER_FIELD = "discoveryFilter";
    /** The outcome of a login the {@link OnboardDenyList} keeps out: recorded with its reason, not a failure. */
    public static final String REFUSED = "REFUSED";
    static final String OPERATION_CREATE = "create-vault-account";

    private final WorkflowJobs workflowJobs;
    private final CredentialRepository credentials;
    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final GroupRepository groups;
    private final AttributeRepository attributes;
    private final AccessRepository access;
    private final TemplateRepository templates;
    private final RotationService rotation;
    private final VaultSync vaultSync;

    public MassOnboard(WorkflowJobs workflowJobs, Vault vault, RotationService rotation, VaultSync vaultSync) {
        this.workflowJobs = workflowJobs;
        this.credentials = vault.credentials();
        this.accounts = vault.accounts();
        this.targets = vault.targets();
        this.groups = vault.groups();
        this.attributes = vault.attributes();
        this.access = vault.access();
        this.templates = vault.templates();
        this.rotation = rotation;
        this.vaultSync = vaultSync;
    }

    /**
     * Declares the five recorded steps; the total grows as each step learns how many results it will give. Refuses
     * the whole job, before any step, when a target would be discovered without a filter (see
     * {@link #discoveryFilter}): nothing is changed.
     */
    public void plan(@Header("jobId") String jobId, @Header("target") List<String> targets,
                     @Header(DISCOVERY_FILTER_FIELD) String requestFilter) {
        for (String targetId : targets) {
            Target target = this.targets.findTarget(targetId)
                    .orElseThrow(() -> new IllegalArgumentException("unknown target '" + targetId + "'"));
            discoveryFilter(target, requestFilter);
        }
        workflowJobs.startSteps(jobId, STEPS);
    }

    /** Step 1: the wanted groups are created on the vault user target when missing; one result per group. */
    public JobProgress createUserGroups(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                        @Header("target") List<String> targets,
                                        @Header("vaultUserTarget") String userTarget,
                                        @Header("vaultTarget") String vaultTarget,
                                        @Header("vaultTemplateId") String templateId,
                                        @Header("vaultAssociationAttribute") String associationAttr,
                                        @Header("vaultGroupAttribute") String groupAttr,
                                        @Header("vaultLinkAttribute") String linkAttr,
                                        @Header("actor") String actor) {
        Map<String, Set<String>> wanted = wantedMembers(targets, vaultTarget, templateId, associationAttr, groupAttr, linkAttr);
        addToTotal(jobId, wanted.size() * 2L);
        JobProgress progress = null;
        for (String group : wanted.keySet()) {
            progress = record(jobId, STEP_GROUPS, dryRun, null, "group " + group,
                    () -> groups.findGroup(group).isPresent()
                            ? "group " + group + " already exists"
                            : "would create user group " + group + " on vault user target '" + userTarget + "'",
                    () -> groups.createGroupIfMissing(actor, userTarget, group, group)
                            ? "created user group " + group + " on vault user target '" + userTarget + "'"
                            : "group " + group + " already exists");
        }
        return progress;
    }

    /** Step 2: the associated users join the groups; one result per group naming who was added. */
    public JobProgress addGroupMembers(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                       @Header("target") List<String> targets,
                                       @Header("vaultTarget") String vaultTarget,
                                       @Header("vaultTemplateId") String templateId,
                                       @Header("vaultAssociationAttribute") String associationAttr,
                                       @Header("vaultGroupAttribute") String groupAttr,
                                       @Header("vaultLinkAttribute") String linkAttr,
                                       @Header("actor") String actor) {
        Map<String, Set<String>> wanted = wantedMembers(targets, vaultTarget, templateId, associationAttr, groupAttr, linkAttr);
        JobProgress progress = null;
        for (Map.Entry<String, Set<String>> entry : wanted.entrySet()) {
            String group = entry.getKey();
            Set<String> users = entry.getValue();
            progress = record(jobId, STEP_MEMBERS, dryRun, null, "group " + group,
                    () -> users.isEmpty() ? "no user to add to " + group : "would add " + users + " to " + group,
                    () -> addMembers(actor, group, users));
        }
        return progress;
    }

    private String addMembers(String actor, String group, Set<String> users) {
        List<String> added = new ArrayList<>();
        List<String> already = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String user : users) {
            try {
                (groups.addMember(actor, group, user) ? added : already).add(user);
            } catch (RuntimeException e) {
                refused.add(user + " (" + e.getMessage() + ")");
            }
        }
        String summary = "added to " + group + ": " + added + "; already members: " + already;
        if (!refused.isEmpty()) {
            throw new IllegalStateException(summary + "; not added: " + String.join(", ", refused));
        }
        return summary;
    }

    /**
     * Step 3: discovery on every target, then a resync of the vault target; one result per target and one for the
     * resync, plus one per login the deny-list refuses (and, in a dry run, one per login that would be added).
     * Out: the ids of the accounts to onboard (in id order), which the batches then work through. A dry run lists
     * the targets' logins too (read-only), so that it names exactly what would be onboarded and what is refused.
     */
    public List<String> discovery(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                                  @Header("target") List<String> targets,
                                  @Header(DISCOVERY_FILTER_FIELD) String requestFilter,
                                  @Header("vaultTarget") String vaultTarget,
                                  @Header("vaultAssociationAttribute") String associationAttr,
                                  @Header("vaultGroupAttribute") String groupAttr,
                                  @Header("vaultLinkAttribute") String linkAttr,
                                  @Header("actor") String actor) {
        boolean dry = Boolean.TRUE.equals(dryRun);
        addToTotal(jobId, targets.size() + 1L);
        Map<String, Map<String, LoginFacts>> facts = new HashMap<>();
        for (String targetId : targets) {
            Instant started = Instant.now();
            JobResult result;
            try {
                Target target = this.targets.findTarget(targetId)
                        .orElseThrow(() -> new IllegalStateException("unknown target '" + targetId + "'"));
                String filter = discoveryFilter(target, requestFilter);
                DiscoverResult found = rotation.discoverLogins(target.id(), filter);
                Map<String, LoginFacts> byName = new HashMap<>();
                found.usernames().forEach(u -> byName.put(u, found.factsOf(u)));
                facts.put(targetId, byName);
                String summary = discover(jobId, target, filter, found, dry, actor);
                result = new JobResult(null, targetId, STEP_DISCOVERY, dry ? "PLANNED" : "SUCCEEDED", true, summary,
                        started, Instant.now(), null);
            } catch (RuntimeException e) {
                result = new JobResult(null, targetId, STEP_DISCOVERY, "FAILED", false, "target " + targetId + ": "
                        + e.getMessage(), started, Instant.now(), null);
            }
            workflowJobs.jobs().recordResult(jobId, result);
        }
        record(jobId, STEP_DISCOVERY, dryRun, null, "vault target " + vaultTarget,
                () -> "would rebuild access to the accounts of vault target '" + vaultTarget + "'",
                () -> resync(actor, vaultTarget, associationAttr, groupAttr));
        Candidates candidates = candidates(targets, vaultTarget, linkAttr, facts);
        recordRefusals(jobId, candidates.refused());
        List<String> onboard = candidates.onboard();
        addToTotal(jobId, onboard.size() * 2L + 1);
        return onboard;
    }

    /**
     * The filter discovery uses on {@code target}: the request's {@value #DISCOVERY_FILTER_FIELD}, else the target
     * setting {@value #DISCOVERY_FILTER}. Discovery without one would list every login of the target, so there is
     * none: the API refuses such a request, and this refuses it again for any other way in.
     *
     * @throws IllegalArgumentException naming the missing or too wide filter
     */
    public static String discoveryFilter(Target target, String requestFilter) {
        String filter = requestFilter != null && !requestFilter.isBlank() ? requestFilter
                : target.setting(DISCOVERY_FILTER, null);
        if (filter == null || filter.isBlank()) {
            throw new IllegalArgumentException("target '" + target.id() + "' has no " + DISCOVERY_FILTER
                    + " setting and the request gives no " + DISCOVERY_FILTER_FIELD + ": discovery needs an explicit"
                    + " filter (e.g. app\\_%), it never lists every login");
        }
        if (filter.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)) || filter.length() > 255) {
            throw new IllegalArgumentException("discovery filter for target '" + target.id()
                    + "' must be at most 255 characters without control characters");
        }
        if (filter.chars().allMatch(c -> c == '%' || c == '_' || c == '*' || c == ' ')) {
            throw new IllegalArgumentException("discovery filter '" + filter + "' for target '" + target.id()
                    + "' matches every login: give a pattern that names the accounts to onboard");
        }
        return filter;
    }

    private String discover(String jobId, Target target, String filter, DiscoverResult found, boolean dry, String actor) {
        Set<String> known = new HashSet<>();
        accounts.listAccounts(target.id()).forEach(a -> known.add(a.username()));
        OnboardDenyList denyList = OnboardDenyList.of(target, ownUsernames(target));
        List<String> added = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<JobResult> rows = new ArrayList<>();
        int alreadyKnown = 0;
        int refused = 0;
        Instant now = Instant.now();
        for (String username : found.usernames()) {
            if (known.contains(username)) {
                alreadyKnown++;
                continue;
            }
            try {
                UsernameRules.check(target.type(), username);
            } catch (IllegalArgumentException e) {
                skipped.add(printable(username) + " (" + e.getMessage() + ")");
                continue;
            }
            String id = VaultTemplate.accountIdFor(target.id() + "." + username);
            OnboardDenyList.Decision decision = denyList.decide(username, found.factsOf(username));
            String rowId = id.matches(Ids.ID_REGEX) ? id : null;
            if (!decision.onboard()) {
                refused++;
                rows.add(new JobResult(rowId, target.id(), STEP_DISCOVERY, REFUSED, true, "login '" + printable(username)
                        + "' is not onboarded: " + decision.reason(), now, now, 0L));
                continue;
            }
            if (rowId == null || accounts.findAccount(id).isPresent()) {
                skipped.add(printable(username) + " (account id '" + printable(id) + "' is taken or unusable)");
                continue;
            }
            if (dry) {
                rows.add(new JobResult(id, target.id(), STEP_DISCOVERY, "PLANNED", true, "would add login '"
                        + printable(username) + "' to the vault as " + id + ", set an initial password on it through"
                        + " the admin account and create its vault account"
                        + (decision.reason() == null ? "" : "; " + decision.reason()), now, now, 0L));
            } else {
                accounts.upsertAccount(id, target.id(), username, CredentialType.PASSWORD, null,
                        AuditRecord.of(actor, "DISCOVER", id, target.id(), null, "ADDED", decision.reason() == null
                                ? "found by discovery" : "found by discovery; " + decision.reason()));
                if (decision.reason() != null) {
                    rows.add(new JobResult(id, target.id(), STEP_DISCOVERY, "ADDED", true, "login '" + printable(username)
                            + "' added to the vault: " + decision.reason(), now, now, 0L));
                }
            }
            added.add(id);
        }
        addToTotal(jobId, rows.size());
        if (!rows.isEmpty()) {
            workflowJobs.jobs().recordResults(jobId, rows);
        }
        String summary = (dry ? "would list " : "found ") + found.usernames().size() + " login account(s) on '"
                + target.id() + "' matching '" + printable(filter) + "': " + added.size()
                + (dry ? " would be added to the vault, " : " added to the vault, ") + alreadyKnown + " already there";
        if (refused > 0) {
            summary += ", " + refused + " refused by the onboarding deny-list";
        }
        return skipped.isEmpty() ? summary : summary + ", " + skipped.size() + " skipped: " + String.join("; ", skipped);
    }

    /** The usernames of the accounts Rotor reaches {@code target} through (admin, login, enable-secret account). */
    private Set<String> ownUsernames(Target target) {
        Set<String> own = new HashSet<>();
        for (String id : OwnAccounts.of(target)) {
            accounts.findAccount(id).map(Account::username).ifPresent(own::add);
        }
        return own;
    }

    private void recordRefusals(String jobId, Map<Account, String> refused) {
        if (refused.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<JobResult> rows = new ArrayList<>();
        refused.forEach((account, reason) -> rows.add(new JobResult(account.id(), account.targetId(), STEP_DISCOVERY,
                REFUSED, true, "account " + account.id() + " ('" + printable(account.username()) + "') is not onboarded: "
                + reason, now, now, 0L)));
        addToTotal(jobId, rows.size());
        workflowJobs.jobs().recordResults(jobId, rows);
    }

    private String resync(String actor, String vaultTarget, String associationAttr, String groupAttr) {
        ResyncResult r = access.resync(actor, vaultTarget, associationAttr, groupAttr);
        return "access to vault target '" + vaultTarget + "' rebuilt: " + r.added() + " added, " + r.removed()
                + " removed, " + r.total() + " in all";
    }

    /** The batches of account ids to onboard, handed out until a cancel is requested. */
    public Iterator<List<String>> batches(List<String> accountIds, @Header("jobId") String jobId,
                                          @Header("batchSize") Integer batchSize) {
        return workflowJobs.untilCancelled(jobId, BatchPlanner.batches(accountIds.iterator(), batchSize));
    }

    /** The target of an account (for the per-target concurrency limit and the result rows). */
    public String targetOf(String accountId) {
        return accounts.findAccount(accountId).map(Account::targetId)
                .orElseThrow(() -> new io.rotor.vault.UnknownAccountException(accountId));
    }

    /**
     * Step 6 for one backing account: the vault account from the template (linked; grouped and associated with
     * the account's own group and association values on top of the template's), then the backing account's
     * CURRENT password copied into it. Nothing is created when the backing account got no password in step 4–5.
     */
    public OperationResult createVaultAccount(String accountId, @Header("vaultTarget") String vaultTarget,
                                              @Header("vaultTemplateId") String templateId,
                                              @Header("vaultAssociationAttribute") String associationAttr,
                                              @Header("vaultGroupAttribute") String groupAttr,
                                              @Header("vaultLinkAttribute") String linkAttr,
                                              @Header("actor") String actor) {
        try {
            if (!credentials.has(accountId, Slot.CURRENT)) {
                return new OperationResult(accountId, OPERATION_CREATE, Outcome.FAILED, null,
                        "no initial password was set on the target, so no vault account was created");
            }
            VaultAccountCreation creation = templates.createVaultAccountFromTemplate(actor, templateId, accountId,
                    linkAttr, associationAttr, groupAttr, attributes.attribute(accountId, associationAttr),
                    attributes.attribute(accountId, groupAttr));
            OperationResult sync = vaultSync.syncLinked(accountId, vaultTarget, linkAttr, actor);
            String detail = "vault account " + creation.account().id() + (creation.created() ? " created" : " already there")
                    + " (linked through '" + linkAttr + "'); password: " + sync.detail();
            return new OperationResult(accountId, OPERATION_CREATE, sync.success() ? Outcome.SUCCEEDED : Outcome.FAILED,
                    null, detail);
        } catch (RuntimeException e) {
            return new OperationResult(accountId, OPERATION_CREATE, Outcome.FAILED, null, e.getMessage());
        }
    }

    /** The end of step 6: one more resync, so that access reflects the vault accounts just created. */
    public JobProgress finish(@Header("jobId") String jobId, @Header("dryRun") Boolean dryRun,
                              @Header("vaultTarget") String vaultTarget,
                              @Header("vaultAssociationAttribute") String associationAttr,
                              @Header("vaultGroupAttribute") String groupAttr, @Header("actor") String actor) {
        return record(jobId, STEP_VAULT_ACCOUNTS, dryRun, null, "vault target " + vaultTarget,
                () -> "would rebuild access to the accounts of vault target '" + vaultTarget + "'",
                () -> resync(actor, vaultTarget, associationAttr, groupAttr));
    }

    /** Dry run of one batch: per account and in order, what steps 4–5 and 6 would do, as PLANNED results. */
    public JobProgress dryRunBatch(List<String> accountIds, @Header("jobId") String jobId,
                                   @Header("vaultTemplateId") String templateId) {
        List<JobResult> plan = new ArrayList<>(accountIds.size() * 2);
        Instant now = Instant.now();
        String pattern = templates.findTemplate(templateId).map(VaultTemplate::namePattern).orElse("?");
        for (String accountId : accountIds) {
            String targetId = targetOf(accountId);
            plan.add(new JobResult(accountId, targetId, STEP_PASSWORDS, "PLANNED", true,
                    "would generate an initial password from the account's policy and set it on target '" + targetId
                            + "' through its admin account (rotation protocol)", now, now, 0L));
        }
        for (String accountId : accountIds) {
            plan.add(new JobResult(accountId, null, STEP_VAULT_ACCOUNTS, "PLANNED", true,
                    "would create a vault account named by template '" + templateId + "' (" + pattern
                            + "), linked to it, holding the same password", now, now, 0L));
        }
        return workflowJobs.jobs().recordResults(jobId, plan);
    }

    /**
     * Which users each group should have: the template's associated users join the template's groups, and each
     * account's own associated users join that account's own groups — never more (an owner of one account does not
     * thereby enter the template's groups, which open every onboarded account). Sorted, so runs are repeatable.
     */
    Map<String, Set<String>> wantedMembers(Collection<String> targets, String vaultTarget, String templateId,
                                           String associationAttr, String groupAttr, String linkAttr) {
        VaultTemplate template = templates.findTemplate(templateId)
                .orElseThrow(() -> new IllegalStateException("unknown vault template '" + templateId + "'"));
        List<String> templateUsers = template.defaults(associationAttr);
        List<String> templateGroups = template.defaults(groupAttr);
        Map<String, Set<String>> wanted = new TreeMap<>();
        templateGroups.forEach(g -> wanted.computeIfAbsent(g, x -> new TreeSet<>()).addAll(templateUsers));
        for (String accountId : accountsToOnboard(targets, vaultTarget, linkAttr)) {
            List<String> users = attributes.attribute(accountId, associationAttr);
            attributes.attribute(accountId, groupAttr).forEach(g -> wanted.computeIfAbsent(g, x -> new TreeSet<>()).addAll(users));
        }
        return wanted;
    }

    /** The accounts of the targets that no vault account links to yet and the deny-list lets through, in id order. */
    List<String> accountsToOnboard(Collection<String> targets, String vaultTarget, String linkAttr) {
        return candidates(targets, vaultTarget, linkAttr, Map.of()).onboard();
    }

    /** The accounts to onboard, and those refused (in id order) with the reason. */
    record Candidates(List<String> onboard, Map<Account, String> refused) {
    }

    /**
     * The accounts of the targets that no vault account links to yet, screened by each target's
     * {@link OnboardDenyList} (with what this run's discovery learned of them, by target and username).
     */
    Candidates candidates(Collection<String> targets, String vaultTarget, String linkAttr,
                          Map<String, Map<String, LoginFacts>> facts) {
        Set<String> linked = new HashSet<>();
        for (AccountLink link : attributes.links(vaultTarget, linkAttr, targets)) {
            linked.add(link.backingAccountId());
        }
        Set<String> admins = new HashSet<>();
        this.targets.listTargets().forEach(t -> {
            if (t.adminAccountId() != null) {
                admins.add(t.adminAccountId());
            }
        });
        Set<String> onboard = new TreeSet<>();
        Map<Account, String> refused = new TreeMap<>(java.util.Comparator.comparing(Account::id));
        for (String targetId : targets) {
            Target target = this.targets.findTarget(targetId).orElse(null);
            if (target == null) {
                continue;
            }
            OnboardDenyList denyList = OnboardDenyList.of(target, ownUsernames(target));
            Map<String, LoginFacts> found = facts.getOrDefault(targetId, Map.of());
            for (Account account : accounts.listAccounts(targetId)) {
                if (linked.contains(account.id()) || admins.contains(account.id())) {
                    continue;
                }
                OnboardDenyList.Decision decision = denyList.decide(account.username(), found.get(account.username()));
                if (decision.onboard()) {
                    onboard.add(account.id());
                } else {
                    refused.put(account, decision.reason());
                }
            }
        }
        return new Candidates(List.copyOf(onboard), refused);
    }

    private void addToTotal(String jobId, long more) {
        long total = workflowJobs.jobs().find(jobId).map(Job::total).orElse(0L);
        workflowJobs.jobs().setTotal(jobId, total + more);
    }

    private JobProgress record(String jobId, String step, Boolean dryRun, String targetId, String subject,
                               Supplier<String> plan, Supplier<String> action) {
        Instant started = Instant.now();
        JobResult result;
        try {
            result = Boolean.TRUE.equals(dryRun)
                    ? new JobResult(null, targetId, step, "PLANNED", true, plan.get(), started, Instant.now(), null)
                    : new JobResult(null, targetId, step, "SUCCEEDED", true, action.get(), started, Instant.now(), null);
        } catch (RuntimeException e) {
            result = new JobResult(null, targetId, step, "FAILED", false, subject + ": " + e.getMessage(),
                    started, Instant.now(), null);
        }
        return workflowJobs.jobs().recordResult(jobId, result);
    }

    /** A discovered name as it may appear in a result: names are not secrets, but control characters are cut. */
    private static String printable(String value) {
        String clean = value.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }
}
