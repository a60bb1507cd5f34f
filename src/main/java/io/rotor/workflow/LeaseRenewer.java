package io.rotor.workflow;

import io.rotor.vault.AccountLock;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.VaultException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps an operation's account lease alive while it runs (docs/architecture.md, "Leases"): renewed by the vault
 * database's clock every third of its lifetime, for at most {@link ProtocolTiming#maxHold()}. A live worker thus
 * never loses its account to an expiry, while a crashed process's leases run out after one lifetime.
 */
final class LeaseRenewer {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewer.class);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "rotor-lease-renewer");
        thread.setDaemon(true);
        return thread;
    });

    private final AccountRepository accounts;
    private final ProtocolTiming timing;

    LeaseRenewer(AccountRepository accounts, ProtocolTiming timing) {
        this.accounts = accounts;
        this.timing = timing;
    }

    /** Starts renewing {@code lock}; close the result when the operation ends. */
    Renewal start(AccountLock lock) {
        long period = Math.max(100, timing.renewalPeriod().toMillis());
        long deadline = System.nanoTime() + timing.maxHold().toNanos();
        Renewal renewal = new Renewal();
        renewal.future = TIMER.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("account {}: the operation outlasted rotor.rotation.max-hold-seconds; its lease is no longer renewed",
                        lock.accountId());
                renewal.cancel();
                return;
            }
            try {
                if (!accounts.renew(lock, timing.lease())) {
                    LOG.warn("account {}: the lease was lost; this worker's commit will be refused", lock.accountId());
                    renewal.cancel();
                }
            } catch (VaultException e) {
                LOG.warn("account {}: could not renew the lease (will try again): {}", lock.accountId(), e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        return renewal;
    }

    static final class Renewal implements AutoCloseable {
        private volatile ScheduledFuture<?> future;

        private void cancel() {
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }

        @Override
        public void close() {
            cancel();
        }
    }
}
