package io.rotor.workflow;

import io.rotor.vault.AccountRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Start-up recovery (before any schedule fires) and the back-off retry of accounts that need an admin
 * reconcile. Each account is settled by {@link RotationService#recover}; one account's failure never stops
 * the others.
 */
public class RecoveryService {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryService.class);

    private final AccountRepository accounts;
    private final RotationService rotation;

    public RecoveryService(AccountRepository accounts, RotationService rotation) {
        this.accounts = accounts;
        this.rotation = rotation;
    }

    /** Settles every account that holds a PENDING credential. */
    public OperationTally recoverAll() {
        List<String> pending = accounts.accountsWithPending();
        OperationTally tally = settle(pending, id -> rotation.recover(id, "recovery"));
        if (!pending.isEmpty()) {
            LOG.info("start-up recovery settled {} account(s): {}", pending.size(), tally.summary());
        }
        return tally;
    }

    /**
     * Settles the accounts still holding PENDING after start-up: an unknown outcome whose quiet period was running, or
     * an account whose lock belonged to a crashed process and has since expired (docs/architecture.md, "Leases").
     * Accounts locked by a live operation answer BUSY and are left alone.
     */
    public OperationTally settleDeferred() {
        List<String> pending = accounts.accountsWithPending();
        OperationTally tally = settle(pending, id -> rotation.recover(id, "recovery"));
        if (!pending.isEmpty()) {
            LOG.debug("deferred recovery looked at {} account(s): {}", pending.size(), tally.summary());
        }
        return tally;
    }

    /** Retries the accounts in NEEDS_RECONCILE whose back-off has elapsed. */
    public OperationTally retryReconcile() {
        return settle(accounts.accountsDueForReconcile(), id -> rotation.retryReconcile(id, "recovery"));
    }

    private OperationTally settle(List<String> accountIds, java.util.function.Function<String, OperationResult> action) {
        List<OperationResult> results = new ArrayList<>();
        for (String id : accountIds) {
            try {
                results.add(action.apply(id));
            } catch (RuntimeException e) {
                LOG.warn("recovery of account {} failed: {}", id, e.getMessage());
                results.add(new OperationResult(id, "recover", OperationResult.Outcome.FAILED, null, e.getMessage()));
            }
        }
        return OperationTally.of(results);
    }
}
