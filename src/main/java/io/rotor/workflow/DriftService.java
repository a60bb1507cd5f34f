package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AccountRepository.AutomaticState;
import io.rotor.vault.AccountRepository.VaultLink;
import io.rotor.vault.AuditLog;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.VaultException;
import io.rotor.vault.VaultModel;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The drift report (docs/architecture.md, "Automatic work"): per real target, the accounts whose vault CURRENT no
 * longer logs in (OUT_OF_SYNC at the last verify), those DISABLED for automatic work (with the reason) or waiting
 * for an admin reconcile, and the linked vault accounts that no longer hold their backing account's CURRENT.
 * Computed from the vault alone: it sends nothing to a target. It compares secrets inside the vault and never
 * puts one in the report. {@link #repair} copies the backing CURRENT into the differing vault accounts (vault only,
 * through {@link VaultSync}), audited.
 */
public class DriftService {
    /** An account whose state needs a person: CURRENT_REJECTED, DISABLED or NEEDS_RECONCILE, with why. */
    public record AccountDrift(String accountId, String username, AccountStatus status, String problem, String detail) {
    }

    /** A vault account whose CURRENT is not its backing account's: DIFFERS, or BACKING_HAS_NO_CURRENT. */
    public record LinkDrift(String vaultAccountId, String vaultTargetId, String linkAttribute, String backingAccountId,
                            String problem) {
    }

    public record TargetDrift(String targetId, int accounts, List<AccountDrift> accountDrift, List<LinkDrift> linkDrift) {
        public boolean clean() {
            return accountDrift.isEmpty() && linkDrift.isEmpty();
        }
    }

    /** @param generatedAt ISO-8601, when the report was computed */
    public record DriftReport(String generatedAt, List<TargetDrift> targets) {
        public long driftCount() {
            return targets.stream().mapToLong(t -> t.accountDrift().size() + t.linkDrift().size()).sum();
        }
    }

    /** What a repair did: per backing account and vault target, the {@link VaultSync} result. */
    public record RepairReport(int linksRepaired, int linksFailed, List<OperationResult> results, DriftReport after) {
    }

    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final CredentialRepository credentials;
    private final VaultSync vaultSync;
    private final AuditLog audit;
    private final Clock clock;

    public DriftService(AccountRepository accounts, TargetRepository targets, CredentialRepository credentials,
                        VaultSync vaultSync, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.targets = targets;
        this.credentials = credentials;
        this.vaultSync = vaultSync;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * @param targetId one real target, or null for all
     * @throws VaultException when {@code targetId} names no target, or a vault view
     */
    public DriftReport report(String targetId) {
        List<Target> chosen = chosenTargets(targetId);
        List<VaultLink> links = accounts.vaultLinks(targetId);
        List<TargetDrift> result = new ArrayList<>();
        for (Target target : chosen) {
            Map<String, Account> byId = accounts.listAccounts(target.id()).stream()
                    .collect(Collectors.toMap(Account::id, Function.identity(), (a, b) -> a, LinkedHashMap::new));
            List<AccountDrift> accountDrift = new ArrayList<>();
            for (AutomaticState state : accounts.automaticStates(target.id())) {
                accountProblem(state, byId.get(state.accountId())).ifPresent(accountDrift::add);
            }
            List<LinkDrift> linkDrift = links.stream().filter(l -> l.backingTargetId().equals(target.id()))
                    .map(this::linkProblem).flatMap(Optional::stream).toList();
            result.add(new TargetDrift(target.id(), byId.size(), accountDrift, linkDrift));
        }
        return new DriftReport(clock.instant().toString(), result);
    }

    /**
     * Re-synchronises every differing linked vault account of the target (all targets when null) from its backing
     * account's CURRENT, in the vault only; each change is audited as SET_VAULT_ONLY by {@code actor}, and the repair
     * as a whole as DRIFT_REPAIR. A vault account someone has checked out is left alone (reported as failed).
     */
    public RepairReport repair(String targetId, String actor) {
        DriftReport before = report(targetId);
        Set<List<String>> groups = new LinkedHashSet<>();
        for (TargetDrift target : before.targets()) {
            for (LinkDrift link : target.linkDrift()) {
                if (link.problem().equals("DIFFERS")) {
                    groups.add(List.of(link.backingAccountId(), link.vaultTargetId(), link.linkAttribute()));
                }
            }
        }
        List<OperationResult> results = new ArrayList<>();
        for (List<String> group : groups) {
            results.add(vaultSync.syncLinked(group.get(0), group.get(1), group.get(2), actor));
        }
        DriftReport after = report(targetId);
        long left = after.targets().stream().flatMap(t -> t.linkDrift().stream())
                .filter(l -> l.problem().equals("DIFFERS")).count();
        long repaired = before.targets().stream().flatMap(t -> t.linkDrift().stream())
                .filter(l -> l.problem().equals("DIFFERS")).count() - left;
        audit.record(AuditRecord.of(actor, "DRIFT_REPAIR", null, targetId, null, left == 0 ? "SUCCEEDED" : "PARTIAL",
                repaired + " linked vault account(s) re-synchronised from their backing account, " + left + " still differ"));
        return new RepairReport((int) repaired, (int) left, results, after);
    }

    private List<Target> chosenTargets(String targetId) {
        if (targetId != null) {
            Target target = targets.findTarget(targetId).orElseThrow(() -> new VaultException("unknown target '" + targetId + "'"));
            if (VaultModel.isVaultView(target.type())) {
                throw new VaultException("target '" + targetId + "' is a vault view; give the backing (real) target");
            }
            return List.of(target);
        }
        return targets.listTargets().stream().filter(t -> !VaultModel.isVaultView(t.type())).toList();
    }

    private static Optional<AccountDrift> accountProblem(AutomaticState state, Account account) {
        String username = account == null ? null : account.username();
        if (state.disabled()) {
            return Optional.of(new AccountDrift(state.accountId(), username, state.status(), "DISABLED",
                    state.disabledReason() == null ? "DISABLED by its status" : state.disabledReason()));
        }
        return switch (state.status()) {
            case OUT_OF_SYNC -> Optional.of(new AccountDrift(state.accountId(), username, state.status(), "CURRENT_REJECTED",
                    "the vault's CURRENT did not log in at the last verify"));
            case NEEDS_RECONCILE -> Optional.of(new AccountDrift(state.accountId(), username, state.status(), "NEEDS_RECONCILE",
                    "no stored credential opens the target" + (state.nextReconcileAt() == null ? ""
                            : "; next admin reconcile attempt at " + state.nextReconcileAt())));
            default -> Optional.empty();
        };
    }

    private Optional<LinkDrift> linkProblem(VaultLink link) {
        Optional<StoredCredential> backing = credentials.read(link.backingAccountId(), Slot.CURRENT);
        if (backing.isEmpty()) {
            return Optional.of(drift(link, "BACKING_HAS_NO_CURRENT"));
        }
        try (StoredCredential b = backing.get()) {
            Optional<StoredCredential> mirrored = credentials.read(link.vaultAccountId(), Slot.CURRENT);
            try {
                boolean same = mirrored.isPresent() && mirrored.get().secret().contentEquals(b.secret());
                return same ? Optional.empty() : Optional.of(drift(link, "DIFFERS"));
            } finally {
                mirrored.ifPresent(StoredCredential::close);
            }
        }
    }

    private static LinkDrift drift(VaultLink link, String problem) {
        return new LinkDrift(link.vaultAccountId(), link.vaultTargetId(), link.linkAttribute(), link.backingAccountId(), problem);
    }
}
