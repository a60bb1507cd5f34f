package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.Target;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AccountRepository.AutomaticState;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.UnknownAccountException;
import io.rotor.workflow.OperationResult.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * "Rotor never locks an account out" and "checkout is exclusive" (docs/architecture.md, "Automatic work"): the rules
 * that run around every public operation of {@link RotationService}, before it locks the account and after it ends.
 *
 * <p>Before: someone else's checkout stops any change (and automatic verifies) with SKIPPED_CHECKED_OUT. Automatic
 * work (schedules, heartbeats, recovery, bulk jobs: see {@link #isAutomatic}) leaves alone an account that is
 * DISABLED, NEEDS_RECONCILE (except the back-off retry, once its back-off has passed) or OUT_OF_SYNC (a verify, or a
 * self-rotation, would log in with a credential known to fail), and does not use a target's admin account whose
 * login the target refused a moment ago, or that is itself DISABLED.
 *
 * <p>After: a failed operation extends the account's run of failures, a successful one ends it; the run's
 * {@code disableAfter}-th failure inside {@code failureWindow} makes the account DISABLED for automatic work, with
 * the reason (CyberArk's "disable after MaxRetries"). An admin login failure counts against the admin account, not
 * the account being worked on, and pauses that admin (that credential version, on that target) for automatic work
 * for {@code adminPause}.
 */
public class AutomaticWorkGate {
    private static final Logger LOG = LoggerFactory.getLogger(AutomaticWorkGate.class);

    public static final int DEFAULT_DISABLE_AFTER = 5;
    public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofHours(24);
    public static final Duration DEFAULT_ADMIN_PAUSE = Duration.ofMinutes(60);

    /** Actors of the work nobody watches as it happens (the schedule and recovery routes, and bulk jobs). */
    private static final Set<String> AUTOMATIC_ACTORS = Set.of("schedule", "heartbeat", "recovery");
    /** Operations that change the credential: someone else's checkout stops them whoever asks. */
    private static final Set<String> CHANGES = Set.of("rotate", "set", "set-vault-only", "reconcile", "retry-reconcile");
    /** Operations that may log in as the target's admin account. */
    private static final Set<String> USES_ADMIN = Set.of("rotate", "set", "reconcile", "retry-reconcile");

    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final int disableAfter;
    private final Duration failureWindow;
    private final Duration adminPause;
    private final Clock clock;
    /** target id + admin account id + admin credential version → until when automatic work leaves that admin alone. */
    private final Map<String, Instant> pausedAdmins = new ConcurrentHashMap<>();

    public AutomaticWorkGate(AccountRepository accounts, TargetRepository targets, int disableAfter,
                             Duration failureWindow, Duration adminPause, Clock clock) {
        if (disableAfter < 1) {
            throw new IllegalArgumentException("rotor.protocol.disable-after must be at least 1, not " + disableAfter);
        }
        this.accounts = accounts;
        this.targets = targets;
        this.disableAfter = disableAfter;
        this.failureWindow = failureWindow;
        this.adminPause = adminPause;
        this.clock = clock;
    }

    public static AutomaticWorkGate defaults(AccountRepository accounts, TargetRepository targets) {
        return new AutomaticWorkGate(accounts, targets, DEFAULT_DISABLE_AFTER, DEFAULT_FAILURE_WINDOW, DEFAULT_ADMIN_PAUSE,
                Clock.systemUTC());
    }

    public int disableAfter() {
        return disableAfter;
    }

    /** Work nobody watches as it happens: the schedules, the heartbeat, recovery, and each account of a bulk job. */
    public static boolean isAutomatic(String actor) {
        return actor != null && (AUTOMATIC_ACTORS.contains(actor) || actor.startsWith("job:"));
    }

    /**
     * Runs {@code work} (one public operation of the protocol) unless a rule says to leave the account alone, then
     * counts its outcome.
     *
     * @param operation rotate, set, set-vault-only, verify, reconcile, retry-reconcile or recover
     * @throws UnknownAccountException when there is no such account
     */
    public OperationResult run(String accountId, String operation, String actor, Supplier<OperationResult> work) {
        AutomaticState state = accounts.automaticState(accountId).orElseThrow(() -> new UnknownAccountException(accountId));
        Optional<OperationResult> refusal = refusal(state, operation, actor);
        if (refusal.isPresent()) {
            LOG.info("account {}: {} by {} skipped: {}", accountId, operation, actor, refusal.get().detail());
            return refusal.get();
        }
        return counted(state, work.get(), actor);
    }

    /** Why the operation must not run now, if it must not. */
    Optional<OperationResult> refusal(AutomaticState state, String operation, String actor) {
        boolean automatic = isAutomatic(actor);
        String holder = state.checkedOutBy();
        if (holder != null && !holder.equals(actor) && (CHANGES.contains(operation) || automatic && operation.equals("verify"))) {
            return skip(state, operation, Outcome.SKIPPED_CHECKED_OUT, "checked out by " + holder
                    + "; nothing was done, the account rotates at checkin");
        }
        if (!automatic) {
            return Optional.empty();
        }
        if (state.disabled()) {
            return skip(state, operation, Outcome.SKIPPED, "DISABLED for automatic work: "
                    + (state.disabledReason() == null ? "by its status" : state.disabledReason()));
        }
        Instant now = clock.instant();
        if (state.status() == AccountStatus.NEEDS_RECONCILE) {
            if (!operation.equals("retry-reconcile") && !operation.equals("recover")) {
                return skip(state, operation, Outcome.SKIPPED, "NEEDS_RECONCILE: only the reconcile retry works on it,"
                        + " once per back-off window");
            }
            if (state.nextReconcileAt() != null && state.nextReconcileAt().isAfter(now)) {
                return skip(state, operation, Outcome.SKIPPED, "NEEDS_RECONCILE: the reconcile back-off lasts until "
                        + state.nextReconcileAt() + "; no probe before then");
            }
        }
        Optional<Target> target = targets.findTarget(state.targetId());
        String adminId = target.map(Target::adminAccountId).filter(id -> !id.equals(state.accountId())).orElse(null);
        if (state.status() == AccountStatus.OUT_OF_SYNC) {
            if (operation.equals("verify")) {
                return skip(state, operation, Outcome.SKIPPED, "OUT_OF_SYNC: the stored CURRENT did not log in at the"
                        + " last verify; a heartbeat would only add a failed login (verify it by hand, or set it)");
            }
            if (adminId == null && (operation.equals("rotate") || operation.equals("set"))) {
                return skip(state, operation, Outcome.SKIPPED, "OUT_OF_SYNC and no admin account: a self-rotation would log"
                        + " in with a CURRENT known to fail");
            }
        }
        if (adminId != null && USES_ADMIN.contains(operation)) {
            Optional<String> adminProblem = adminProblem(state.targetId(), adminId, now);
            if (adminProblem.isPresent()) {
                return skip(state, operation, Outcome.ADMIN_LOGIN_FAILED, adminProblem.get());
            }
        }
        return Optional.empty();
    }

    private Optional<String> adminProblem(String targetId, String adminId, Instant now) {
        Optional<AutomaticState> admin = accounts.automaticState(adminId);
        if (admin.isPresent() && admin.get().disabled()) {
            return Optional.of("not tried: admin account '" + adminId + "' of target '" + targetId
                    + "' is DISABLED for automatic work");
        }
        long version = accounts.findAccount(adminId).map(Account::version).orElse(-1L);
        Instant until = pausedAdmins.get(pauseKey(targetId, adminId, version));
        if (until != null && until.isAfter(now)) {
            return Optional.of("not tried: target '" + targetId + "' refused the login of admin account '" + adminId
                    + "' a moment ago; automatic work leaves it alone until " + until + " or until its credential changes");
        }
        return Optional.empty();
    }

    /** Counts the outcome; a failure that disables the account says so in the answer. */
    private OperationResult counted(AutomaticState before, OperationResult result, String actor) {
        if (result.outcome() == Outcome.ADMIN_LOGIN_FAILED) {
            pauseAdminOf(before.targetId(), actor, result.detail());
            return result;
        }
        Boolean failed = failed(result.outcome());
        if (failed == null || !failed && before.failedOperations() == 0 && !before.disabled()) {
            return result; // nothing to count: no vault write
        }
        AutomaticState after = accounts.recordOutcome(before.accountId(), failed, disableAfter, failureWindow,
                result.operation() + " " + result.outcome() + ": " + result.detail(), actor);
        if (after.disabled() && !before.disabled()) {
            LOG.warn("account {}: DISABLED for automatic work after {} failed operation(s)", before.accountId(),
                    after.failedOperations());
            return new OperationResult(result.accountId(), result.operation(), result.outcome(), AccountStatus.DISABLED,
                    result.detail() + "; the account is now DISABLED for automatic work after " + after.failedOperations()
                            + " consecutive failed operation(s)");
        }
        if (after.disabled()) {
            return new OperationResult(result.accountId(), result.operation(), result.outcome(), AccountStatus.DISABLED,
                    result.detail());
        }
        return result;
    }

    /**
     * True for an operation that failed against the account, false for one that succeeded, null for one that says
     * nothing about the account (unreachable, busy, settled by recovery, skipped, the admin's failure).
     */
    static Boolean failed(Outcome outcome) {
        return switch (outcome) {
            case SUCCEEDED, RECOVERED_FORWARD, RECONCILED -> false;
            case REJECTED, OUT_OF_SYNC, NEEDS_RECONCILE, FAILED -> true;
            case ROLLED_BACK, RESTORED_PREVIOUS, UNREACHABLE, BUSY, UNKNOWN, ADMIN_LOGIN_FAILED, SKIPPED_CHECKED_OUT, SKIPPED -> null;
        };
    }

    private void pauseAdminOf(String targetId, String actor, String detail) {
        Optional<String> adminId = targets.findTarget(targetId).map(Target::adminAccountId);
        if (adminId.isEmpty()) {
            return;
        }
        long version = accounts.findAccount(adminId.get()).map(Account::version).orElse(-1L);
        pausedAdmins.put(pauseKey(targetId, adminId.get(), version), clock.instant().plus(adminPause));
        accounts.recordOutcome(adminId.get(), true, disableAfter, failureWindow,
                "admin login refused on target '" + targetId + "': " + detail, actor);
    }

    private static String pauseKey(String targetId, String adminId, long version) {
        return targetId + '\u0000' + adminId + '\u0000' + version;
    }

    private static Optional<OperationResult> skip(AutomaticState state, String operation, Outcome outcome, String detail) {
        return Optional.of(new OperationResult(state.accountId(), operation.equals("retry-reconcile") ? "reconcile" : operation,
                outcome, state.status(), detail));
    }
}
