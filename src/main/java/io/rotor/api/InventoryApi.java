package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rotor.config.AccountSpec;
import io.rotor.config.InventoryException;
import io.rotor.config.InventoryLoader;
import io.rotor.domain.Account;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Target;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.PolicyRepository;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.Vault;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Targets, policies and accounts through the API. Bodies are checked by {@link InventoryLoader}'s own rules, so
 * the API refuses exactly what the inventory file refuses, with the same field-naming messages; references must
 * resolve in the vault. A refused request changes nothing; an accepted one is audited in the same transaction.
 *
 * <p>POST creates (the id is in the body; an existing id is a conflict). PUT replaces an existing record whole
 * (fields left out take their defaults, as in the file); the body's id, if given, must be the path's.
 */
public class InventoryApi {
    /** The inventory file's id rule, for path parameters. */
    static final Pattern ID = io.rotor.domain.Ids.ID_PATTERN;

    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final PolicyRepository policies;
    /** For the vault's own views (types vault, vault-users); null: such targets are refused like unknown types. */
    private final DirectoryApi viewTargets;
    private final java.util.function.Function<String, io.rotor.connector.VerificationKind> verification;

    public InventoryApi(Vault vault) {
        this(vault, null);
    }

    public InventoryApi(Vault vault, DirectoryApi viewTargets) {
        this(vault, viewTargets, id -> null);
    }

    /** @param verification what each account's verify proves, by account id (null when unknown) */
    public InventoryApi(Vault vault, DirectoryApi viewTargets,
                        java.util.function.Function<String, io.rotor.connector.VerificationKind> verification) {
        this.accounts = vault.accounts();
        this.targets = vault.targets();
        this.policies = vault.policies();
        this.viewTargets = viewTargets;
        this.verification = verification;
    }

    // ---------------------------------------------------------------- policies

    public List<Views.PolicyView> listPolicies() {
        Map<String, io.rotor.domain.RotationSchedule> schedules = policies.rotationSchedules();
        return policies.listPolicies().stream().map(p -> Views.PolicyView.of(p, schedules.get(p.id()))).toList();
    }

    public Views.PolicyView getPolicy(String id) {
        PasswordPolicy policy = policies.findPolicy(checkPathId(id)).orElseThrow(() -> unknown("policy", id));
        return Views.PolicyView.of(policy, policies.rotationSchedules().get(policy.id()));
    }

    public Views.PolicyView createPolicy(JsonNode body, Principal by) {
        InventoryLoader.ScheduledPolicy checked = checked(() -> InventoryLoader.checkPolicyWithSchedule(body));
        PasswordPolicy policy = checked.policy();
        if (policies.findPolicy(policy.id()).isPresent()) {
            throw exists("policy", policy.id());
        }
        policies.upsertPolicy(policy, audit(by, "POLICY_CREATE", null, null, "policy '" + policy.id() + "'"));
        policies.setRotationSchedule(policy.id(), checked.schedule());
        return Views.PolicyView.of(policy, checked.schedule());
    }

    public Views.PolicyView updatePolicy(String id, JsonNode body, Principal by) {
        policies.findPolicy(checkPathId(id)).orElseThrow(() -> unknown("policy", id));
        InventoryLoader.ScheduledPolicy checked = checked(() -> InventoryLoader.checkPolicyWithSchedule(withPathId(body, id)));
        PasswordPolicy policy = checked.policy();
        policies.upsertPolicy(policy, audit(by, "POLICY_UPDATE", null, null, "policy '" + id + "'"));
        policies.setRotationSchedule(policy.id(), checked.schedule());
        return Views.PolicyView.of(policy, checked.schedule());
    }

    public void deletePolicy(String id, Principal by) {
        if (!policies.deletePolicy(checkPathId(id), audit(by, "POLICY_DELETE", null, null, "policy '" + id + "'"))) {
            throw unknown("policy", id);
        }
    }

    // ---------------------------------------------------------------- targets

    public List<Views.TargetView> listTargets() {
        return targets.listTargets().stream().map(Views.TargetView::of).toList();
    }

    public Views.TargetView getTarget(String id) {
        return Views.TargetView.of(targets.findTarget(checkPathId(id)).orElseThrow(() -> unknown("target", id)));
    }

    public Views.TargetView createTarget(JsonNode body, Principal by) {
        if (viewTargets != null && DirectoryApi.declaresViewTarget(body)) {
            return viewTargets.createViewTarget(body, by);
        }
        Target target = checked(() -> InventoryLoader.checkTarget(body, policyIds(), accountTargets()));
        if (targets.findTarget(target.id()).isPresent()) {
            throw exists("target", target.id());
        }
        targets.upsertTarget(target, audit(by, "TARGET_CREATE", null, target.id(), "target '" + target.id() + "'"));
        return Views.TargetView.of(target);
    }

    public Views.TargetView updateTarget(String id, JsonNode body, Principal by) {
        Target old;
        try {
            old = targets.findTarget(checkPathId(id)).orElseThrow(() -> unknown("target", id));
        } catch (io.rotor.vault.TamperedRowException tampered) {
            old = null; // a row edited outside Rotor is not trusted: this request replaces it whole and seals it again
        }
        if ((old != null && io.rotor.vault.VaultModel.isVaultView(old.type())) || DirectoryApi.declaresViewTarget(body)) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'type': a target of type 'vault' or 'vault-users' is a"
                    + " view onto the vault with nothing to change; it is neither replaced nor made from another type");
        }
        Target target = checked(() -> InventoryLoader.checkTarget(withPathId(body, id), policyIds(), accountTargets()));
        if (old != null && !target.type().equals(old.type()) && !accounts.listAccounts(id).isEmpty()) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'type': cannot be changed while the target has"
                    + " accounts (their usernames were checked for type '" + old.type() + "')");
        }
        targets.upsertTarget(target, audit(by, "TARGET_UPDATE", null, id, "target '" + id + "'"));
        return Views.TargetView.of(target);
    }

    public void deleteTarget(String id, Principal by) {
        if (!targets.deleteTarget(checkPathId(id), audit(by, "TARGET_DELETE", null, id, "target '" + id + "'"))) {
            throw unknown("target", id);
        }
    }

    // ---------------------------------------------------------------- accounts

    public List<Views.AccountView> listAccounts(String targetId) {
        if (targetId != null && targets.findTarget(checkParameter("target", targetId)).isEmpty()) {
            throw unknown("target", targetId);
        }
        Map<String, String> held = accounts.checkouts();
        return accounts.listAccounts(targetId).stream().map(a -> Views.AccountView.of(a, held.get(a.id()), verification.apply(a.id()))).toList();
    }

    public Views.AccountView getAccount(String id) {
        Account account = accounts.findAccount(checkPathId(id)).orElseThrow(() -> unknown("account", id));
        return Views.AccountView.of(account, accounts.checkedOutBy(id).orElse(null), verification.apply(account.id()));
    }

    public Views.AccountView createAccount(JsonNode body, Principal by) {
        AccountSpec spec = checkedAccount(body);
        if (accounts.findAccount(spec.id()).isPresent()) {
            throw exists("account", spec.id());
        }
        checkUsernameFree(spec);
        accounts.upsertAccount(spec.id(), spec.targetId(), spec.username(), spec.credentialType(), spec.policyId(),
                audit(by, "ACCOUNT_CREATE", spec.id(), spec.targetId(), "account '" + spec.id() + "'"));
        return getAccount(spec.id());
    }

    public Views.AccountView updateAccount(String id, JsonNode body, Principal by) {
        Account old = accounts.findAccount(checkPathId(id)).orElseThrow(() -> unknown("account", id));
        AccountSpec spec = checkedAccount(withPathId(body, id));
        if (!spec.targetId().equals(old.targetId())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'target': cannot be changed (the stored credentials"
                    + " belong to target '" + old.targetId() + "'); delete the account and create it again");
        }
        if (!spec.username().equals(old.username())) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'username': cannot be changed (the stored credentials"
                    + " belong to the old login); delete the account and create it again");
        }
        accounts.upsertAccount(id, spec.targetId(), spec.username(), spec.credentialType(), spec.policyId(),
                audit(by, "ACCOUNT_UPDATE", id, spec.targetId(), "account '" + id + "'"));
        return getAccount(id);
    }

    public void deleteAccount(String id, Principal by) {
        Optional<Account> account = accounts.findAccount(checkPathId(id));
        if (account.isEmpty() || !accounts.deleteAccount(id, audit(by, "ACCOUNT_DELETE", id, account.get().targetId(),
                "account '" + id + "' and its stored credentials"))) {
            throw unknown("account", id);
        }
    }

    private AccountSpec checkedAccount(JsonNode body) {
        if (body.has("initialSecretEnv")) {
            throw ApiException.badRequest("UNKNOWN_FIELD", "field 'initialSecretEnv': not accepted by the API (it names"
                    + " an environment variable of the server); set the first credential with POST /api/v1/accounts/{id}/set");
        }
        Map<String, String> targetTypes = new HashMap<>();
        targets.listTargets().forEach(t -> targetTypes.put(t.id(), t.type()));
        return checked(() -> InventoryLoader.checkAccount(body, policyIds(), targetTypes));
    }

    private void checkUsernameFree(AccountSpec spec) {
        for (Account other : accounts.listAccounts(spec.targetId())) {
            if (other.username().equals(spec.username()) && !other.id().equals(spec.id())) {
                throw ApiException.conflict("ALREADY_EXISTS", "field 'username': is already declared on target '"
                        + spec.targetId() + "' by account '" + other.id() + "'");
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private Set<String> policyIds() {
        Set<String> ids = new HashSet<>();
        policies.listPolicies().forEach(p -> ids.add(p.id()));
        // as in the file: "default" is the built-in policy unless one is stored under that id
        ids.add(io.rotor.config.Inventory.DEFAULT_POLICY_ID);
        return ids;
    }

    private Map<String, String> accountTargets() {
        Map<String, String> map = new HashMap<>();
        accounts.listAccounts(null).forEach(a -> map.put(a.id(), a.targetId()));
        return map;
    }

    /** Runs the inventory rules; their problems become one 400 answer listing each, field first. */
    static <T> T checked(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (InventoryException e) {
            List<String> problems = e.problems();
            boolean unknownField = problems.stream().allMatch(p -> p.contains(": unknown field")
                    || p.startsWith("unknown setting '"));
            throw ApiException.badRequest(unknownField ? "UNKNOWN_FIELD" : "INVALID_FIELD", String.join("; ", problems));
        }
    }

    /** The path's id goes into the body; a different id in the body is refused. */
    static JsonNode withPathId(JsonNode body, String id) {
        JsonNode given = body.get("id");
        if (given != null && !given.isNull() && !(given.isTextual() && given.asText().equals(id))) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'id': must be the id in the path ('" + id + "') or left out");
        }
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        copy.put("id", id);
        return copy;
    }

    static String checkPathId(String id) {
        return checkParameter("id", id);
    }

    static String checkParameter(String name, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiException.badRequest("INVALID_PARAMETER", "parameter '" + name + "': must match " + ID.pattern());
        }
        return value;
    }

    static ApiException unknown(String kind, String id) {
        return ApiException.notFound("unknown " + kind + " id '" + id + "'");
    }

    private static ApiException exists(String kind, String id) {
        return ApiException.conflict("ALREADY_EXISTS", "field 'id': " + kind + " '" + id + "' already exists; use PUT to change it");
    }

    static AuditRecord audit(Principal by, String operation, String accountId, String targetId, String detail) {
        return AuditRecord.of(by.actor(), operation, accountId, targetId, null, "SUCCEEDED", detail + " via the API");
    }
}
