package io.rotor.workflow.passwords;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.PasswordPolicyCheck;
import io.rotor.domain.PolicyFit;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.VaultUser;
import io.rotor.domain.passwords.PasswordChange;
import io.rotor.domain.passwords.PasswordChange.Outcome;
import io.rotor.domain.passwords.PasswordChange.Result;
import io.rotor.domain.passwords.PasswordChange.State;
import io.rotor.domain.passwords.SyncGroup;
import io.rotor.domain.passwords.TransportKey;
import io.rotor.vault.PasswordManagementRepository;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.passwords.PasswordViews.ChangeResponse;
import io.rotor.workflow.passwords.PasswordViews.InfoAccount;
import io.rotor.workflow.passwords.PasswordViews.PasswordInfo;
import io.rotor.workflow.passwords.PasswordViews.PasswordStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * SailPoint's password management on Rotor's model (docs/architecture.md, "Password management"): an identity is
 * a vault user, a source is a target, and an identity's accounts on a source are the target's accounts whose
 * attribute {@code identityAttribute} holds the user's id. A set-password request is checked (key, ciphertext,
 * who may act, which account, the policy) before anything is stored, then persisted and applied in the
 * background through the rotation protocol ({@link RotationService#set}: PENDING first, change, verify by a fresh
 * login, commit) to the account, or to the identity's accounts on every source of the source's sync group. The
 * request and its per-account results survive a restart; a request a process left IN_PROGRESS is settled by
 * {@link #settleInterrupted} after the protocol's recovery ran.
 */
public final class PasswordManagement {
    private static final Logger LOG = LoggerFactory.getLogger(PasswordManagement.class);

    private final Vault vault;
    private final PasswordManagementRepository store;
    private final TransportKeys keys;
    private final RotationService rotation;
    private final String identityAttribute;
    private final Duration retention;
    private final ExecutorService workers;

    public PasswordManagement(Vault vault, PasswordManagementRepository store, TransportKeys keys, RotationService rotation,
                              String identityAttribute, Duration retention, ExecutorService workers) {
        this.vault = vault;
        this.store = store;
        this.keys = keys;
        this.rotation = rotation;
        this.identityAttribute = identityAttribute;
        this.retention = retention;
        this.workers = workers;
    }

    public String identityAttribute() {
        return identityAttribute;
    }

    public TransportKeys keys() {
        return keys;
    }

    // ---------------------------------------------------------------- query-password-info

    /**
     * @param userName   the identity: a vault user's login (or its id)
     * @param sourceName the source: a target id
     */
    public PasswordInfo queryPasswordInfo(Caller caller, String userName, String sourceName) {
        VaultUser identity = identity(required("userName", userName));
        authorize(caller, identity.id());
        Target source = source(required("sourceName", sourceName));
        List<Account> owned = accountsOf(identity.id(), source.id());
        List<InfoAccount> accounts = owned.stream().map(a -> new InfoAccount(a.id(), a.username())).toList();
        PasswordPolicy policy = policyFor(source.id(), owned.isEmpty() ? null : owned.get(0));
        TransportKey key = keys.served();
        return new PasswordInfo(identity.id(), source.id(), key.id(), key.publicKey(), accounts,
                PasswordPolicyCheck.describe(policy));
    }

    // ---------------------------------------------------------------- set-password

    /**
     * Checks and accepts a change; the work goes on in the background. A password that breaks the policy is a
     * request that ends FAILED at once, naming the rules, with no target touched.
     *
     * @throws PasswordManagementException INVALID (missing field, key, ciphertext, account not on sourceId),
     *                                     FORBIDDEN (another identity), NOT_FOUND (identity, source, account)
     */
    public ChangeResponse setPassword(Caller caller, String identityId, String encryptedPassword, String publicKeyId,
                                      String accountId, String sourceId) {
        required("identityId", identityId);
        required("encryptedPassword", encryptedPassword);
        required("publicKeyId", publicKeyId);
        required("accountId", accountId);
        required("sourceId", sourceId);
        VaultUser identity = vault.users().findUser(identityId).orElseThrow(() ->
                PasswordManagementException.notFound("identityId: no identity has the id '" + identityId + "'"));
        authorize(caller, identity.id());
        Target source = source(sourceId);
        Account account = requestedAccount(identity.id(), source, accountId);
        Optional<SyncGroup> group = store.groupOfSource(source.id());
        List<Account> plan = plan(identity.id(), account, group);
        String requestId = UUID.randomUUID().toString().replace("-", "");
        purgeExpired();
        Secret password = keys.decrypt(publicKeyId, encryptedPassword);
        try {
            PasswordPolicy policy = policyFor(source.id(), account);
            List<String> broken = new ArrayList<>();
            for (Account target : plan) {
                for (String rule : PasswordPolicyCheck.brokenRules(policy, password, target.username())) {
                    String named = "policy '" + policy.id() + "': " + rule;
                    if (!broken.contains(named)) {
                        broken.add(named);
                    }
                }
            }
            if (!broken.isEmpty()) {
                String reason = "the password breaks " + String.join("; ", broken) + "; nothing was changed";
                List<Result> results = plan.stream().map(a -> new Result(a.targetId(), a.id(), a.version(),
                        Outcome.NOT_CHANGED, reason)).toList();
                store.createRequest(new PasswordChange(requestId, identity.id(), source.id(), account.id(), caller.actor(),
                        State.FAILED, null, null, results), "refused: " + reason);
                return new ChangeResponse(requestId, State.FAILED.name());
            }
            List<Result> results = plan.stream().map(a -> new Result(a.targetId(), a.id(), a.version(), Outcome.WAITING, null)).toList();
            store.createRequest(new PasswordChange(requestId, identity.id(), source.id(), account.id(), caller.actor(),
                    State.IN_PROGRESS, null, null, results), "for identity '" + identity.id() + "' on "
                    + plan.size() + " account(s)" + group.map(g -> " of password sync group '" + g.id() + "'").orElse(""));
            Secret owned = password;
            try {
                workers.execute(() -> apply(requestId, plan, owned, caller.actor()));
            } catch (RejectedExecutionException e) {
                store.finish(requestId, State.FAILED, "Rotor is shutting down; nothing was changed", caller.actor());
                owned.close();
                return new ChangeResponse(requestId, State.FAILED.name());
            }
            password = null;
            return new ChangeResponse(requestId, State.IN_PROGRESS.name());
        } finally {
            if (password != null) {
                password.close();
            }
        }
    }

    /** The background part: each account through the protocol; one failing account does not stop the others. */
    private void apply(String requestId, List<Account> plan, Secret password, String actor) {
        boolean allChanged = true;
        try (password) {
            for (Account account : plan) {
                try {
                    OperationResult result = rotation.set(account.id(), password, false, actor);
                    if (result.success()) {
                        store.recordResult(requestId, account.id(), Outcome.CHANGED, "changed and verified by a fresh login");
                    } else {
                        allChanged = false;
                        store.recordResult(requestId, account.id(), Outcome.FAILED, result.outcome() + ": " + result.detail());
                    }
                } catch (RuntimeException e) {
                    allChanged = false;
                    // Rotor's exceptions name the problem, never a secret
                    store.recordResult(requestId, account.id(), Outcome.FAILED, e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            store.finish(requestId, allChanged ? State.FINISHED : State.FAILED, "not attempted", actor);
        } catch (RuntimeException e) {
            LOG.warn("password change request {} could not be completed: {}", requestId, e.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- status

    public PasswordStatus status(Caller caller, String requestId) {
        PasswordChange change = store.request(required("id", requestId)).orElseThrow(() ->
                PasswordManagementException.notFound("no password change request has the id '" + requestId + "'"));
        authorize(caller, change.identityId());
        return statusOf(change);
    }

    static PasswordStatus statusOf(PasswordChange change) {
        List<String> errors = new ArrayList<>();
        LinkedHashSet<String> sources = new LinkedHashSet<>();
        LinkedHashSet<String> changed = new LinkedHashSet<>();
        for (Result r : change.results()) {
            sources.add(r.sourceId());
            if (r.outcome() == Outcome.CHANGED) {
                changed.add(r.sourceId());
            } else if (r.outcome() == Outcome.FAILED || r.outcome() == Outcome.NOT_CHANGED) {
                errors.add("source '" + r.sourceId() + "', account '" + r.accountId() + "': " + r.outcome() + ": " + r.detail());
            }
        }
        if (change.state() == State.FAILED) {
            errors.add(changed.isEmpty() ? "no source was changed"
                    : "changed on source(s): " + String.join(", ", changed));
        }
        return new PasswordStatus(change.id(), change.state().name(), errors, List.copyOf(sources));
    }

    // ---------------------------------------------------------------- restart

    /** Requests a dead process left IN_PROGRESS, found at start-up and not settled yet. */
    private final java.util.Set<String> interruptedRequests = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Ends the requests a dead process left IN_PROGRESS (call it once, after the protocol's start-up recovery). A
     * request is settled only once none of its waiting accounts holds PENDING: an account still under the dead
     * process's lease is settled by recovery when the lease expires (docs/architecture.md, "Leases"), and until then
     * nobody can say whether it got the new password. {@link #settleInterruptedRequests} is then called again on the
     * recovery retry period. An account whose version moved on and that is IN_SYNC got the new password (recovery
     * committed it); any other one kept its old password.
     *
     * @return how many requests were settled now
     */
    public int settleInterrupted(String actor) {
        store.inProgress().forEach(change -> interruptedRequests.add(change.id()));
        return settleInterruptedRequests(actor);
    }

    /** True while interrupted requests wait for recovery to settle their accounts. */
    public boolean interruptedRequestsWaiting() {
        return !interruptedRequests.isEmpty();
    }

    /** Settles the interrupted requests whose accounts recovery has settled; the others wait for a later call. */
    public int settleInterruptedRequests(String actor) {
        List<PasswordChange> interrupted = new java.util.ArrayList<>();
        for (String id : List.copyOf(interruptedRequests)) {
            Optional<PasswordChange> change = store.request(id);
            if (change.isEmpty() || change.get().state() != State.IN_PROGRESS) {
                interruptedRequests.remove(id);
            } else if (change.get().results().stream().noneMatch(r -> r.outcome() == Outcome.WAITING
                    && vault.credentials().has(r.accountId(), io.rotor.domain.Slot.PENDING))) {
                interrupted.add(change.get());
                interruptedRequests.remove(id);
            }
        }
        for (PasswordChange change : interrupted) {
            boolean allChanged = true;
            for (Result r : change.results()) {
                if (r.outcome() != Outcome.WAITING) {
                    allChanged &= r.outcome() == Outcome.CHANGED;
                    continue;
                }
                Optional<Account> now = vault.accounts().findAccount(r.accountId());
                boolean moved = now.isPresent() && now.get().version() > r.startVersion()
                        && now.get().status() == AccountStatus.IN_SYNC;
                if (moved) {
                    store.recordResult(change.id(), r.accountId(), Outcome.CHANGED, "interrupted by a restart; recovery"
                            + " found the new password live and committed it");
                } else {
                    allChanged = false;
                    store.recordResult(change.id(), r.accountId(), Outcome.FAILED, "interrupted by a restart; recovery"
                            + " settled the account (" + now.map(a -> a.status().name()).orElse("deleted")
                            + ") and it keeps its previous password");
                }
            }
            store.finish(change.id(), allChanged ? State.FINISHED : State.FAILED, "interrupted by a restart", actor);
        }
        return interrupted.size();
    }

    // ---------------------------------------------------------------- helpers

    /** The caller's right to act for the identity; a refusal is audited (API_DENIED) before it is answered. */
    private void authorize(Caller caller, String identityId) {
        try {
            caller.requireMayActFor(identityId);
        } catch (PasswordManagementException denied) {
            vault.audit().record(io.rotor.vault.AuditRecord.of(caller.actor(), "API_DENIED", null, null, null, "DENIED",
                    "password self-service for identity '" + identityId + "': " + denied.getMessage()));
            throw denied;
        }
    }

    private void purgeExpired() {
        int purged = store.purgeFinishedBefore(store.now().minus(retention));
        if (purged > 0) {
            LOG.info("{} completed password change request(s) older than {} forgotten", purged, retention);
        }
    }

    private VaultUser identity(String userName) {
        Optional<VaultUser> byId = vault.users().findUser(userName);
        if (byId.isPresent()) {
            return byId.get();
        }
        List<VaultUser> byLogin = store.usersByLogin(userName);
        if (byLogin.size() == 1) {
            return byLogin.get(0);
        }
        if (byLogin.isEmpty()) {
            throw PasswordManagementException.notFound("userName: no identity has the login '" + userName + "'");
        }
        throw PasswordManagementException.invalid("userName: several identities have the login '" + userName
                + "'; send the identity's id");
    }

    private Target source(String sourceId) {
        return vault.targets().findTarget(sourceId).orElseThrow(() ->
                PasswordManagementException.notFound("no source has the id '" + sourceId + "'"));
    }

    /** The identity's accounts on one source: the source's accounts whose identity attribute holds the identity's id. */
    List<Account> accountsOf(String identityId, String sourceId) {
        return vault.attributes().accountsWithAttributeValue(identityAttribute, identityId).stream()
                .filter(a -> a.targetId().equals(sourceId)).toList();
    }

    /** The account {@code accountId} names (a Rotor account id, or the username on the source). */
    private Account requestedAccount(String identityId, Target source, String accountId) {
        Optional<Account> byId = vault.accounts().findAccount(accountId);
        Account account = byId.orElseGet(() -> vault.accounts().listAccounts(source.id()).stream()
                .filter(a -> a.username().equals(accountId)).findFirst().orElseThrow(() ->
                        PasswordManagementException.notFound("accountId: source '" + source.id() + "' has no account '" + accountId + "'")));
        if (!vault.attributes().attribute(account.id(), identityAttribute).contains(identityId)) {
            throw PasswordManagementException.forbidden("accountId: the account does not belong to identity '" + identityId + "'");
        }
        if (!account.targetId().equals(source.id())) {
            throw PasswordManagementException.invalid("sourceId: account '" + account.id() + "' is on source '"
                    + account.targetId() + "', not on '" + source.id() + "'");
        }
        return account;
    }

    /** The account itself, or the identity's accounts on every source of the group (the requested one first). */
    private List<Account> plan(String identityId, Account account, Optional<SyncGroup> group) {
        List<Account> plan = new ArrayList<>();
        plan.add(account);
        if (group.isPresent()) {
            for (String source : group.get().sourceIds()) {
                for (Account other : accountsOf(identityId, source)) {
                    if (!other.id().equals(account.id())) {
                        plan.add(other);
                    }
                }
            }
        }
        return plan;
    }

    /** The sync group's policy; else the account's, the source's, or the default. */
    PasswordPolicy policyFor(String sourceId, Account account) {
        Optional<SyncGroup> group = store.groupOfSource(sourceId);
        String policyId = group.map(SyncGroup::policyId).orElse(null);
        if (policyId == null && account != null) {
            policyId = account.policyId();
        }
        if (policyId == null) {
            policyId = vault.targets().findTarget(sourceId).map(Target::policyId).orElse(null);
        }
        return policy(policyId == null ? PasswordPolicy.defaults().id() : policyId);
    }

    PasswordPolicy policy(String id) {
        Optional<PasswordPolicy> stored = vault.policies().findPolicy(id);
        if (stored.isPresent()) {
            return stored.get();
        }
        if (id.equals(PasswordPolicy.defaults().id())) {
            return PasswordPolicy.defaults();
        }
        throw PasswordManagementException.notFound("no password policy has the id '" + id + "'");
    }

    // ---------------------------------------------------------------- sync groups and policies

    public List<SyncGroup> groups() {
        return store.groups();
    }

    public SyncGroup group(String id) {
        return store.group(id).orElseThrow(() -> PasswordManagementException.notFound("no password sync group has the id '" + id + "'"));
    }

    /** Creates ({@code id} null) or replaces a group after checking its name, policy and sources. */
    public SyncGroup saveGroup(String id, String name, String passwordPolicyId, List<String> sourceIds, String actor) {
        required("name", name);
        if (name.length() > 255) {
            throw PasswordManagementException.invalid("name: at most 255 characters");
        }
        if (passwordPolicyId != null) {
            PasswordPolicy policy = policy(passwordPolicyId);
            try {
                PasswordGenerator.validate(policy);
            } catch (IllegalArgumentException e) {
                throw PasswordManagementException.invalid("passwordPolicyId: " + e.getMessage());
            }
        }
        List<String> sources = sourceIds == null ? List.of() : List.copyOf(new LinkedHashSet<>(sourceIds));
        List<String> conflicts = new ArrayList<>();
        for (String source : sources) {
            Optional<Target> target = source == null ? Optional.empty() : vault.targets().findTarget(source);
            if (target.isEmpty()) {
                throw PasswordManagementException.invalid("sourceIds: no source has the id '" + source + "'");
            }
            if (passwordPolicyId != null) {
                // one password goes to every member: the group's policy must be met on each of them
                conflicts.addAll(PolicyFit.conflicts(policy(passwordPolicyId), rotation.capabilityOf(target.get())));
            }
        }
        if (!conflicts.isEmpty()) {
            throw PasswordManagementException.invalid("passwordPolicyId: cannot be met on every source: "
                    + String.join("; ", conflicts));
        }
        boolean create = id == null;
        if (!create) {
            group(id);
        }
        try {
            return store.saveGroup(new SyncGroup(create ? UUID.randomUUID().toString() : id, name.trim(), passwordPolicyId,
                    sources, null, null), actor, create);
        } catch (IllegalArgumentException e) {
            throw PasswordManagementException.invalid(e.getMessage());
        }
    }

    public void deleteGroup(String id, String actor) {
        if (!store.deleteGroup(id, actor)) {
            throw PasswordManagementException.notFound("no password sync group has the id '" + id + "'");
        }
    }

    public List<PasswordPolicy> policies() {
        List<PasswordPolicy> all = new ArrayList<>(vault.policies().listPolicies());
        if (all.stream().noneMatch(p -> p.id().equals(PasswordPolicy.defaults().id()))) {
            all.add(0, PasswordPolicy.defaults());
        }
        return all;
    }

    /** The sources whose password this policy governs: the sources of the groups that name it. */
    public List<String> sourcesOfPolicy(String policyId) {
        return store.groups().stream().filter(g -> policyId.equals(g.policyId())).flatMap(g -> g.sourceIds().stream()).toList();
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw PasswordManagementException.invalid(field + ": required");
        }
        return value;
    }
}
