package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.Target;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.VaultException;

import java.util.List;

/** Read-only lookups the routes use to decide what to split over. */
public class AccountQueries {
    private final AccountRepository accounts;
    private final TargetRepository targets;

    public AccountQueries(AccountRepository accounts, TargetRepository targets) {
        this.accounts = accounts;
        this.targets = targets;
    }

    /**
     * Ids of the accounts on {@code targetId} except its admin account: the others are changed through the admin
     * account, so it is rotated on its own after them ({@link #adminAccountOf}), never while they use it.
     */
    public List<String> idsOfTarget(String targetId) {
        Target target = target(targetId);
        return accounts.listAccounts(targetId).stream().map(Account::id)
                .filter(id -> !id.equals(target.adminAccountId())).toList();
    }

    /** The target's admin account when it is one of the target's own accounts, else null. */
    public String adminAccountOf(String targetId) {
        String adminId = target(targetId).adminAccountId();
        if (adminId == null) {
            return null;
        }
        return accounts.findAccount(adminId).filter(a -> a.targetId().equals(targetId)).map(Account::id).orElse(null);
    }

    private Target target(String targetId) {
        return targets.findTarget(targetId).orElseThrow(() -> new VaultException("unknown target id '" + targetId + "'"));
    }
}
