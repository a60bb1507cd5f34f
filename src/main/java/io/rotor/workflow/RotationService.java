package io.rotor.workflow;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerificationKind;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Secret;
import io.rotor.domain.SecretRules;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.vault.AccountLock;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AuditLog;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.PolicyRepository;
import io.rotor.vault.StaleLockException;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.UnknownAccountException;
import io.rotor.vault.Vault;
import io.rotor.vault.VaultException;
import io.rotor.workflow.CrashPoints.Step;
import io.rotor.workflow.OperationResult.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * The rotation protocol (docs/architecture.md, "The rotation protocol"), and the operations built on the same machinery (verify, reconcile, set,
 * recovery). Every public method locks the account, settles any PENDING version left behind first, and
 * returns an {@link OperationResult}; none throws for a target's answer, only for bad input or a vault failure.
 */
public class RotationService {
    private static final Logger LOG = LoggerFactory.getLogger(RotationService.class);

    private final CredentialRepository credentials;
    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final PolicyRepository policies;
    private final AuditLog auditLog;
    private final ConnectorRegistry connectors;
    private final PasswordGenerator generator;
    private final RotorMetrics metrics;
    private final Duration lockLifetime;
    private final int maxAttempts;
    private final ProtocolTiming timing;
    private final LeaseRenewer renewer;
    /** Tokens of locks already given back by the operation's last commit, so {@link #withLock} skips its unlock. */
    private final java.util.Set<String> released = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Checkout, DISABLED, back-off and lockout rules around every public operation (docs/architecture.md, "Automatic work"). */
    private final AutomaticWorkGate gate;

    public RotationService(Vault vault, ConnectorRegistry connectors, PasswordGenerator generator,
                           RotorMetrics metrics, Duration lockLifetime, int maxAttempts) {
        this(vault, connectors, generator, metrics, ProtocolTiming.defaults(lockLifetime), maxAttempts);
    }

    public RotationService(Vault vault, ConnectorRegistry connectors, PasswordGenerator generator,
                           RotorMetrics metrics, Duration lockLifetime, int maxAttempts, AutomaticWorkGate gate) {
        this(vault, connectors, generator, metrics, ProtocolTiming.defaults(lockLifetime), maxAttempts, gate);
    }

    public RotationService(Vault vault, ConnectorRegistry connectors, PasswordGenerator generator,
                           RotorMetrics metrics, ProtocolTiming timing, int maxAttempts) {
        this(vault, connectors, generator, metrics, timing, maxAttempts,
                AutomaticWorkGate.defaults(vault.accounts(), vault.targets()));
    }

    /**
     * @throws IllegalArgumentException when {@code timing} cannot cover an operation of {@code maxAttempts} attempts
     *                                  (see {@link ProtocolTiming#requireFits})
     */
    public RotationService(Vault vault, ConnectorRegistry connectors, PasswordGenerator generator,
                           RotorMetrics metrics, ProtocolTiming timing, int maxAttempts, AutomaticWorkGate gate) {
        this.gate = gate;
        this.timing = timing.requireFits(maxAttempts);
        this.lockLifetime = timing.lease();
        this.renewer = new LeaseRenewer(vault.accounts(), timing);
        this.credentials = vault.credentials();
        this.accounts = vault.accounts();
        this.targets = vault.targets();
        this.policies = vault.policies();
        this.auditLog = vault.audit();
        this.connectors = connectors;
        this.generator = generator;
        this.metrics = metrics;
        this.maxAttempts = Math.max(1, maxAttempts);
    }

    // ---------------------------------------------------------------- rotate

    /**
     * A fresh credential: a password from the policy, or for an SSH_KEY account a new key pair of the target's
     * {@code keyType} (default ed25519) in the vault's one-line form.
     */
    private Secret newCandidate(io.rotor.domain.Account account, Target target, PasswordPolicy policy) {
        if (account.credentialType() == io.rotor.domain.CredentialType.SSH_KEY) {
            return io.rotor.connector.ssh.SshKeys.toSecret(io.rotor.connector.ssh.SshKeys.generate(target.setting("keyType", "ed25519")));
        }
        return generator.generate(policy, account.username());
    }

    /** Rotates the account's credential to a freshly generated one (protocol steps 1–6). */
    public OperationResult rotate(String accountId, String actor) {
        return record("rotate", gate.run(accountId, "rotate", actor, () -> withLock(accountId, "rotate", actor, (account, lock) -> {
            Target target = target(account);
            PasswordPolicy policy = policyFor(account, target);
            OperationResult last = null;
            for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                // a target that rejected a generated password gets a fresh one, never the same one again
                try (Secret candidate = newCandidate(account, target, policy)) {
                    last = applyOnTarget(account, target, lock, candidate, "rotate", actor);
                }
                if (last.outcome() != Outcome.REJECTED) {
                    return last;
                }
            }
            return last;
        })));
    }

    // ---------------------------------------------------------------- set

    /**
     * Sets the account's credential to {@code value} (or a generated one when {@code value} is null). On the
     * target it follows the rotation protocol; {@code vaultOnly} only records it, leaving the account
     * UNVERIFIED until a verify passes (PassMan's "Reset Credentials" with "Change on target" unchecked).
     */
    public OperationResult set(String accountId, Secret value, boolean vaultOnly, String actor) {
        if (value != null) {
            SecretRules.check(value);
        }
        String operation = vaultOnly ? "set-vault-only" : "set";
        return record(operation, gate.run(accountId, operation, actor, () -> withLock(accountId, operation, actor, (account, lock) -> {
            Target target = target(account);
            Secret chosen = value != null ? value : newCandidate(account, target, policyFor(account, target));
            try {
                if (vaultOnly) {
                    String rotationId = UUID.randomUUID().toString();
                    credentials.setCurrent(lock, rotationId, chosen, AccountStatus.UNVERIFIED, AuditRecord.of(actor, "SET_VAULT_ONLY",
                            account.id(), account.targetId(), rotationId, "SUCCEEDED",
                            "credential replaced in the vault only; UNVERIFIED until a verify passes"));
                    return result(account, "set", Outcome.SUCCEEDED, AccountStatus.UNVERIFIED,
                            "stored in the vault only; the account is UNVERIFIED until a verify passes");
                }
                return applyOnTarget(account, target, lock, chosen, "set", actor);
            } finally {
                if (value == null) {
                    chosen.close();
                }
            }
        })));
    }

    // ---------------------------------------------------------------- verify

    /** Heartbeat: a fresh login with CURRENT sets IN_SYNC or OUT_OF_SYNC; an unreachable target changes nothing. */
    public OperationResult verify(String accountId, String actor) {
        return record("verify", gate.run(accountId, "verify", actor, () -> withLock(accountId, "verify", actor, (account, lock) -> {
            Target target = target(account);
            Optional<StoredCredential> current = credentials.read(account.id(), Slot.CURRENT);
            if (current.isEmpty()) {
                return result(account, "verify", Outcome.FAILED, account.status(),
                        "no CURRENT credential is stored; use `rotor set` first");
            }
            try (StoredCredential credential = current.get()) {
                VerifyResult verdict = login(account, target, credential.secret(), actor, "CURRENT");
                String passed = confirmedOnly(account, target)
                        ? "confirmed through the admin API (the target offers no login check): " + verdict.detail()
                        : "login with CURRENT succeeded";
                return switch (verdict.outcome()) {
                    case VALID -> {
                        accounts.setStatus(lock, AccountStatus.IN_SYNC, audit(actor, "VERIFY", account, null, "IN_SYNC", passed));
                        yield result(account, "verify", Outcome.SUCCEEDED, AccountStatus.IN_SYNC, passed);
                    }
                    case REJECTED -> {
                        accounts.setStatus(lock, AccountStatus.OUT_OF_SYNC, audit(actor, "VERIFY", account, null, "OUT_OF_SYNC", verdict.detail()));
                        yield result(account, "verify", Outcome.OUT_OF_SYNC, AccountStatus.OUT_OF_SYNC,
                                "the target rejected the stored CURRENT credential: " + verdict.detail());
                    }
                    case UNREACHABLE -> result(account, "verify", Outcome.UNREACHABLE, account.status(), verdict.detail());
                };
            }
        })));
    }

    // ---------------------------------------------------------------- reconcile

    /** The target's admin account sets a fresh credential that Rotor then verifies and commits. */
    public OperationResult reconcile(String accountId, String actor) {
        return record("reconcile", gate.run(accountId, "reconcile", actor, () ->
                withLock(accountId, "reconcile", actor, (account, lock) -> reconcileLocked(account, lock, actor))));
    }

    // ---------------------------------------------------------------- recovery

    /** Settles a PENDING version left by a crash or an unknown outcome (see {@link #recoverLocked}). */
    public OperationResult recover(String accountId, String actor) {
        return record("recover", gate.run(accountId, "recover", actor, () -> withLock(accountId, "recover", actor, (account, lock) ->
                credentials.has(account.id(), Slot.PENDING)
                        ? recoverLocked(account, target(account), lock, actor)
                        : result(account, "recover", Outcome.SUCCEEDED, account.status(), "nothing pending"))));
    }

    /** Retries an account in NEEDS_RECONCILE through the admin account (called on a back-off schedule). */
    public OperationResult retryReconcile(String accountId, String actor) {
        return record("reconcile", gate.run(accountId, "retry-reconcile", actor, () -> withLock(accountId, "reconcile", actor, (account, lock) -> {
            if (account.status() != AccountStatus.NEEDS_RECONCILE) {
                return result(account, "reconcile", Outcome.SUCCEEDED, account.status(), "no longer needs reconcile");
            }
            return reconcileLocked(account, lock, actor);
        })));
    }

    // ---------------------------------------------------------------- protocol core

    /** Steps 3–6 for one candidate credential, with the account already locked. */
    private OperationResult applyOnTarget(Account account, Target target, AccountLock lock, Secret candidate,
                                          String operation, String actor) {
        Login admin = adminLogin(account, target).orElse(null);
        Optional<StoredCredential> current = credentials.read(account.id(), Slot.CURRENT);
        try {
            if (admin == null && current.isEmpty()) {
                return result(account, operation, Outcome.FAILED, account.status(),
                        "no CURRENT credential to log in with and no admin account on target '" + target.id() + "'");
            }
            Optional<String> elevationProblem = elevationProblem(target);
            if (elevationProblem.isPresent()) {
                return result(account, operation, Outcome.FAILED, account.status(), elevationProblem.get());
            }
            Elevation elevation = elevation(target);
            String rotationId = UUID.randomUUID().toString();
            credentials.writePending(lock, rotationId, candidate, audit(actor, "PENDING_WRITTEN", account, rotationId, "PENDING",
                    admin == null ? "self-rotation" : "admin rotation as " + admin.username()));
            CrashPoints.reached(Step.PENDING_COMMITTED);

            ChangeResult change = timed(target, "change", () -> connector(target).change(new ChangeRequest(target,
                    account.username(), current.map(StoredCredential::secret).orElse(null), candidate, admin, elevation,
                    account.id())));
            CrashPoints.reached(Step.TARGET_CHANGED);
            switch (change.outcome()) {
                case REJECTED -> {
                    if (change.loginRefused()) {
                        // no candidate was offered: a fresh one would only repeat the refused login (no lockouts)
                        AccountStatus status = admin == null ? AccountStatus.OUT_OF_SYNC : previousStatus(account);
                        credentials.abandonPending(lock, status, audit(actor, "CHANGE", account, rotationId,
                                admin == null ? "LOGIN_REFUSED" : "ADMIN_LOGIN_FAILED", change.detail()));
                        return result(account, operation, admin == null ? Outcome.OUT_OF_SYNC : Outcome.ADMIN_LOGIN_FAILED,
                                status, (admin == null ? "the target refused the login with CURRENT; nothing was offered: "
                                        : "the target refused the admin login; nothing was offered: ") + change.detail());
                    }
                    // the target refused it, so the candidate is certainly not live: dropping it loses nothing
                    credentials.abandonPending(lock, previousStatus(account), audit(actor, "CHANGE", account, rotationId,
                            "REJECTED", change.detail()));
                    return result(account, operation, Outcome.REJECTED, previousStatus(account),
                            "the target refused the change: " + change.detail());
                }
                case UNKNOWN -> {
                    auditLog.record(audit(actor, "CHANGE", account, rotationId, "UNKNOWN", change.detail()));
                    return recoverLocked(account, target, lock, actor);
                }
                case CHANGED -> {
                    Secret live = candidate;
                    if (change.issued() != null) {
                        // the target generated the credential (an AWS access key): it is stored as PENDING before
                        // anything else, since the old one may already be gone (docs/architecture.md, "AWS IAM")
                        credentials.replacePending(lock, rotationId, change.issued(), audit(actor, "PENDING_WRITTEN", account,
                                rotationId, "PENDING", "the target issued the credential itself; it replaces the candidate"));
                        live = change.issued();
                    }
                    VerifyResult verified = login(account, target, live, actor, "PENDING");
                    CrashPoints.reached(Step.VERIFIED);
                    if (!verified.isValid()) {
                        // the target said yes but the new credential does not open it: let recovery decide
                        return recoverLocked(account, target, lock, actor);
                    }
                    // the commit also gives the lock back: nothing follows it in this operation (one vault commit fewer)
                    String how = verifiedHow(account, target);
                    try {
                        credentials.commitPending(lock, audit(actor, operation.toUpperCase(), account, rotationId, "SUCCEEDED",
                                "changed on the target and " + how), true);
                    } catch (StaleLockException lost) {
                        return writeBack(account, rotationId, live, operation, actor);
                    }
                    released.add(lock.token());
                    CrashPoints.reached(Step.COMMITTED);
                    return result(account, operation, Outcome.SUCCEEDED, AccountStatus.IN_SYNC,
                            "changed on the target and " + how);
                }
                default -> throw new IllegalStateException("unexpected change outcome " + change.outcome());
            }
        } finally {
            current.ifPresent(StoredCredential::close);
        }
    }

    /**
     * Recovery: probe PENDING, then CURRENT, then PREVIOUS — at most three logins, to respect lockout limits.
     * PENDING works → commit. CURRENT works → the candidate never took; drop it. PREVIOUS works → make it
     * CURRENT again. Nothing works → NEEDS_RECONCILE, keeping every version, and try the admin account.
     * An unreachable target decides nothing: the PENDING version stays for the next recovery.
     */
    private OperationResult recoverLocked(Account account, Target target, AccountLock lock, String actor) {
        Optional<StoredCredential> pending = credentials.read(account.id(), Slot.PENDING);
        if (pending.isEmpty()) {
            return result(account, "recover", Outcome.SUCCEEDED, account.status(), "nothing pending");
        }
        String rotationId = pending.get().rotationId();
        if (confirmedOnly(account, target)) {
            try (StoredCredential candidate = pending.get()) {
                return recoverConfirmed(account, target, lock, rotationId, candidate.secret(), actor);
            }
        }
        try (StoredCredential candidate = pending.get()) {
            VerifyResult withPending = login(account, target, candidate.secret(), actor, "PENDING");
            if (withPending.isValid()) {
                credentials.commitPending(lock, audit(actor, "RECOVER", account, rotationId, "RECOVERED_FORWARD",
                        "the PENDING credential is live on the target; committed it"));
                return result(account, "recover", Outcome.RECOVERED_FORWARD, AccountStatus.IN_SYNC,
                        "the new credential was live on the target; committed it");
            }
            if (withPending.outcome() == VerifyResult.Outcome.UNREACHABLE) {
                return unreachable(account, rotationId, withPending, actor);
            }
        }
        Optional<StoredCredential> current = credentials.read(account.id(), Slot.CURRENT);
        if (current.isPresent()) {
            try (StoredCredential credential = current.get()) {
                VerifyResult withCurrent = login(account, target, credential.secret(), actor, "CURRENT");
                if (withCurrent.isValid()) {
                    return abandonIfFinal(account, target, lock, rotationId, credential.secret(), actor);
                }
                if (withCurrent.outcome() == VerifyResult.Outcome.UNREACHABLE) {
                    return unreachable(account, rotationId, withCurrent, actor);
                }
            }
        }
        Optional<StoredCredential> previous = credentials.read(account.id(), Slot.PREVIOUS);
        if (previous.isPresent()) {
            try (StoredCredential credential = previous.get()) {
                VerifyResult withPrevious = login(account, target, credential.secret(), actor, "PREVIOUS");
                if (withPrevious.isValid()) {
                    credentials.restorePrevious(lock, audit(actor, "RECOVER", account, rotationId, "RESTORED_PREVIOUS",
                            "PENDING and CURRENT rejected, PREVIOUS is live; made PREVIOUS CURRENT again"));
                    return result(account, "recover", Outcome.RESTORED_PREVIOUS, AccountStatus.IN_SYNC,
                            "PREVIOUS was the live credential; made it CURRENT again");
                }
                if (withPrevious.outcome() == VerifyResult.Outcome.UNREACHABLE) {
                    return unreachable(account, rotationId, withPrevious, actor);
                }
            }
        }
        if (adminLogin(account, target).isPresent()) {
            return reconcileLocked(account, lock, actor);
        }
        accounts.markNeedsReconcile(lock, audit(actor, "RECOVER", account, rotationId, "NEEDS_RECONCILE",
                "no stored credential opens the target and no admin account is configured; every version kept"));
        return result(account, "recover", Outcome.NEEDS_RECONCILE, AccountStatus.NEEDS_RECONCILE,
                "no stored credential opens the target; configure an admin account or `rotor set` the right value");
    }

    /**
     * CURRENT still works while PENDING does not. A change whose outcome was unknown may still land (a statement
     * queued behind a lock, a slow PAM stack), so PENDING is kept until the quiet period after it was written has
     * passed by the vault database's clock; recovery probes again later. After that the change is final (the targets
     * bound it on their side): CURRENT is re-asserted through the admin account when there is one, then PENDING is
     * dropped (docs/architecture.md, "Unknown outcomes").
     */
    private OperationResult abandonIfFinal(Account account, Target target, AccountLock lock, String rotationId,
                                           Secret current, String actor) {
        Duration age = credentials.pendingAge(account.id()).orElse(Duration.ZERO);
        if (age.compareTo(timing.unknownQuietPeriod()) < 0) {
            Duration wait = timing.unknownQuietPeriod().minus(age);
            auditLog.record(audit(actor, "RECOVER", account, rotationId, "DEFERRED",
                    "CURRENT still works but the change may still land; PENDING kept, probed again in " + wait.toSeconds() + " s"));
            return result(account, "recover", Outcome.UNKNOWN, AccountStatus.PENDING,
                    "the outcome of the change is not known yet: CURRENT still works, the new credential is kept as PENDING"
                            + " and recovery probes again after the quiet period (" + wait.toSeconds() + " s)");
        }
        Optional<Login> admin = adminLogin(account, target);
        String reasserted = "";
        if (admin.isPresent() && elevationProblem(target).isEmpty()) {
            ChangeResult again = timed(target, "reconcile", () -> connector(target).reconcile(
                    new ReconcileRequest(target, account.username(), current, admin.get(), elevation(target), account.id())));
            if (again.outcome() == ChangeResult.Outcome.UNKNOWN) {
                auditLog.record(audit(actor, "RECOVER", account, rotationId, "DEFERRED",
                        "re-asserting CURRENT through the admin account had an unknown outcome; PENDING kept: " + again.detail()));
                return result(account, "recover", Outcome.UNKNOWN, AccountStatus.PENDING,
                        "re-asserting CURRENT through the admin account had an unknown outcome; PENDING kept: " + again.detail());
            }
            reasserted = again.outcome() == ChangeResult.Outcome.CHANGED
                    ? "; CURRENT re-asserted through admin account " + admin.get().username()
                    : "; re-asserting CURRENT through the admin account was refused: " + again.detail();
        }
        credentials.abandonPending(lock, AccountStatus.IN_SYNC, audit(actor, "RECOVER", account, rotationId, "ROLLED_BACK",
                "the target still has CURRENT after the quiet period; dropped the PENDING candidate that never took" + reasserted));
        return result(account, "recover", Outcome.ROLLED_BACK, AccountStatus.IN_SYNC,
                "the change did not take; CURRENT still works" + reasserted);
    }

    /**
     * The worker lost its lease after the target may have changed: the candidate goes back in as PENDING (unless
     * it is still there) so recovery probes it; it is never dropped.
     */
    private OperationResult writeBack(Account account, String rotationId, Secret candidate, String operation, String actor) {
        boolean kept = credentials.writeBackPending(account.id(), rotationId, candidate, audit(actor, "RECOVER", account,
                rotationId, "WRITTEN_BACK", "the lock was taken over after the target changed; candidate written back as PENDING"));
        if (!kept) {
            auditLog.record(audit(actor, "RECOVER", account, rotationId, "NOT_WRITTEN_BACK",
                    "the lock was taken over after the target changed and the new holder has its own PENDING; run a reconcile"));
        }
        return result(account, operation, Outcome.UNKNOWN, AccountStatus.PENDING, kept
                ? "the lock was taken over before the commit; the new credential is kept as PENDING for recovery"
                : "the lock was taken over before the commit and another rotation is pending; a reconcile may be needed");
    }

    /** Admin reset: re-applies a still-pending candidate if there is one, else a freshly generated credential. */
    private OperationResult reconcileLocked(Account account, AccountLock lock, String actor) {
        Target target = target(account);
        Optional<Login> admin = adminLogin(account, target);
        if (admin.isEmpty()) {
            return result(account, "reconcile", Outcome.FAILED, account.status(),
                    "target '" + target.id() + "' has no admin account to reconcile with");
        }
        Optional<String> elevationProblem = elevationProblem(target);
        if (elevationProblem.isPresent()) {
            return result(account, "reconcile", Outcome.FAILED, account.status(), elevationProblem.get());
        }
        Elevation elevation = elevation(target);
        Optional<StoredCredential> pending = credentials.read(account.id(), Slot.PENDING);
        String rotationId;
        Secret candidate;
        if (pending.isPresent()) {
            rotationId = pending.get().rotationId();
            candidate = pending.get().secret();
        } else {
            rotationId = UUID.randomUUID().toString();
            candidate = newCandidate(account, target, policyFor(account, target));
            credentials.writePending(lock, rotationId, candidate, audit(actor, "PENDING_WRITTEN", account, rotationId, "PENDING",
                    "reconcile through admin account " + admin.get().username()));
            CrashPoints.reached(Step.PENDING_COMMITTED);
        }
        try {
            ChangeResult change = timed(target, "reconcile", () -> connector(target).reconcile(
                    new ReconcileRequest(target, account.username(), candidate, admin.get(), elevation, account.id())));
            CrashPoints.reached(Step.TARGET_CHANGED);
            if (change.outcome() == ChangeResult.Outcome.CHANGED) {
                Secret live = candidate;
                if (change.issued() != null) {
                    // a credential the target generated replaces the candidate first (docs/architecture.md, "AWS IAM")
                    credentials.replacePending(lock, rotationId, change.issued(), audit(actor, "PENDING_WRITTEN", account,
                            rotationId, "PENDING", "the target issued the credential itself; it replaces the candidate"));
                    live = change.issued();
                }
                VerifyResult verified = login(account, target, live, actor, "PENDING");
                CrashPoints.reached(Step.VERIFIED);
                if (verified.isValid()) {
                    String how = verifiedHow(account, target);
                    credentials.commitPending(lock, audit(actor, "RECONCILE", account, rotationId, "RECONCILED",
                            "admin account " + admin.get().username() + " set a new credential; " + how));
                    CrashPoints.reached(Step.COMMITTED);
                    return result(account, "reconcile", Outcome.RECONCILED, AccountStatus.IN_SYNC,
                            "the admin account set a new credential; " + how);
                }
            }
            // PENDING is kept: the admin change may have taken even if we could not confirm it
            accounts.markNeedsReconcile(lock, audit(actor, "RECONCILE", account, rotationId, "NEEDS_RECONCILE", change.detail()));
            return result(account, "reconcile", change.loginRefused() ? Outcome.ADMIN_LOGIN_FAILED : Outcome.NEEDS_RECONCILE,
                    AccountStatus.NEEDS_RECONCILE, "the admin reset did not succeed: " + change.detail());
        } finally {
            candidate.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    private interface LockedWork {
        OperationResult run(Account account, AccountLock lock);
    }

    private OperationResult withLock(String accountId, String operation, String actor, LockedWork work) {
        Account account = accounts.findAccount(accountId).orElseThrow(() -> new UnknownAccountException(accountId));
        Optional<AccountLock> lock = accounts.tryLock(accountId, lockLifetime);
        if (lock.isEmpty()) {
            return result(account, operation, Outcome.BUSY, account.status(),
                    "another operation holds account '" + accountId + "'; try again later");
        }
        try (LeaseRenewer.Renewal renewal = renewer.start(lock.get())) {
            CrashPoints.reached(Step.LOCKED);
            if (!operation.equals("recover") && credentials.has(accountId, Slot.PENDING)) {
                // a half-finished rotation must be settled before anything else touches the account
                OperationResult settled = recoverLocked(account, target(account), lock.get(), actor);
                LOG.info("account {}: settled an earlier PENDING credential before {}: {}", accountId, operation, settled.outcome());
                if (credentials.has(accountId, Slot.PENDING)) {
                    return result(account, operation, settled.outcome(), settled.status(),
                            "an earlier rotation is not settled yet: " + settled.detail());
                }
                account = accounts.findAccount(accountId).orElseThrow(() -> new UnknownAccountException(accountId));
            }
            return work.run(account, lock.get());
        } finally {
            try {
                if (!released.remove(lock.get().token())) {
                    accounts.unlock(lock.get());
                }
            } catch (VaultException e) {
                LOG.warn("account {}: could not release the lock (it expires by itself): {}", accountId, e.getMessage());
            }
        }
    }

    private VerifyResult login(Account account, Target target, Secret secret, String actor, String which) {
        // a CONFIRMED target has no login to try: its verify reads the account through the admin API
        boolean confirmed = confirmedOnly(account, target);
        Login admin = confirmed ? adminLogin(account, target).orElse(null) : null;
        // the attempt is audited before it is made: a failed audit write refuses the login
        auditLog.record(audit(actor, "LOGIN_ATTEMPT", account, null, "ATTEMPT", confirmed
                ? "confirmation of " + which + " through the admin API" : "fresh login with " + which));
        return timed(target, "verify", () -> connector(target).verify(
                new VerifyRequest(target, new io.rotor.connector.Login(account.username(), secret), admin, account.id())));
    }

    /**
     * What the connector's verify proves for this account (docs/architecture.md, "Confirmed verification"); null
     * when no connector can be made for its target (an unknown type, settings it refuses).
     */
    public VerificationKind verificationKind(String accountId) {
        try {
            Account account = accounts.findAccount(accountId).orElse(null);
            if (account == null) {
                return null;
            }
            Target target = targets.findTarget(account.targetId()).orElse(null);
            if (target == null || !connectors.supports(target.type())) {
                return null;
            }
            return connector(target).verificationKind(account.credentialType());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private boolean confirmedOnly(Account account, Target target) {
        return connector(target).verificationKind(account.credentialType()) == VerificationKind.CONFIRMED;
    }

    private String verifiedHow(Account account, Target target) {
        return confirmedOnly(account, target) ? "confirmed through the admin API (the target offers no login check)"
                : "verified with a fresh login";
    }

    /**
     * Recovery on a target whose verify is only a confirmed change: no login can tell which version is live, so
     * PENDING is never dropped on a probe. It is re-applied through the admin API (an idempotent set: whether or not
     * the first change landed, the target ends with PENDING) and committed when the target accepts it. A refused or
     * failed re-apply keeps PENDING and leaves the account NEEDS_RECONCILE, retried with back-off through the
     * admin account; an unknown one keeps it as PENDING for the next recovery (docs/architecture.md, "Confirmed
     * verification").
     */
    private OperationResult recoverConfirmed(Account account, Target target, AccountLock lock, String rotationId,
                                             Secret pending, String actor) {
        Optional<Login> admin = adminLogin(account, target);
        Optional<String> elevationProblem = elevationProblem(target);
        if (admin.isEmpty() || elevationProblem.isPresent()) {
            String why = admin.isEmpty() ? "target '" + target.id() + "' has no admin account to re-apply it with"
                    : elevationProblem.get();
            accounts.markNeedsReconcile(lock, audit(actor, "RECOVER", account, rotationId, "NEEDS_RECONCILE",
                    "the target has no login check and PENDING cannot be re-applied: " + why + "; every version kept"));
            return result(account, "recover", Outcome.NEEDS_RECONCILE, AccountStatus.NEEDS_RECONCILE,
                    "the target has no login check, so recovery re-applies PENDING through the admin API, but " + why
                            + "; PENDING is kept");
        }
        ChangeResult again = timed(target, "reconcile", () -> connector(target).reconcile(
                new ReconcileRequest(target, account.username(), pending, admin.get(), elevation(target))));
        CrashPoints.reached(Step.TARGET_CHANGED);
        switch (again.outcome()) {
            case CHANGED -> {
                credentials.commitPending(lock, audit(actor, "RECOVER", account, rotationId, "RECOVERED_FORWARD",
                        "re-applied PENDING through admin account " + admin.get().username()
                                + " and the target confirmed it; committed it"));
                CrashPoints.reached(Step.COMMITTED);
                return result(account, "recover", Outcome.RECOVERED_FORWARD, AccountStatus.IN_SYNC,
                        "re-applied the new credential through the admin API and the target confirmed it; committed it");
            }
            case UNKNOWN -> {
                auditLog.record(audit(actor, "RECOVER", account, rotationId, "DEFERRED",
                        "re-applying PENDING through the admin API had an unknown outcome; PENDING kept: " + again.detail()));
                return result(account, "recover", Outcome.UNKNOWN, AccountStatus.PENDING,
                        "re-applying the new credential through the admin API had an unknown outcome; it is kept as"
                                + " PENDING and recovery tries again: " + again.detail());
            }
            default -> {
                // the first change may still have landed: a refused re-apply says nothing about which version is live
                accounts.markNeedsReconcile(lock, audit(actor, "RECOVER", account, rotationId, "NEEDS_RECONCILE",
                        "re-applying PENDING through the admin API failed; every version kept: " + again.detail()));
                return result(account, "recover", again.loginRefused() ? Outcome.ADMIN_LOGIN_FAILED : Outcome.NEEDS_RECONCILE,
                        AccountStatus.NEEDS_RECONCILE, "re-applying the new credential through the admin API failed; it is"
                                + " kept as PENDING and retried through the admin account: " + again.detail());
            }
        }
    }

    private OperationResult unreachable(Account account, String rotationId, VerifyResult verdict, String actor) {
        auditLog.record(audit(actor, "RECOVER", account, rotationId, "DEFERRED",
                "target unreachable; PENDING kept for the next recovery: " + verdict.detail()));
        return result(account, "recover", Outcome.UNREACHABLE, AccountStatus.PENDING,
                "the target could not be reached; the new credential is kept as PENDING and recovery will retry: "
                        + verdict.detail());
    }

    /**
     * Discovery: the login accounts the target holds, listed by its connector through the target's admin account
     * ({@code filter} is connector-specific, a LIKE pattern for databases). Read-only on the target; stores nothing.
     *
     * @throws IllegalStateException when the target has no admin account with a stored credential
     */
    public java.util.List<String> discover(String targetId, String filter) {
        return discoverLogins(targetId, filter).usernames();
    }

    /** Discovery with what the connector learned about each login (uid, privileges), for the onboarding deny-list. */
    public io.rotor.connector.DiscoverResult discoverLogins(String targetId, String filter) {
        Target target = targets.findTarget(targetId).orElseThrow(() -> new VaultException("unknown target '" + targetId + "'"));
        Login admin = adminLogin(null, target).orElseThrow(() -> new IllegalStateException("target '" + targetId
                + "' has no admin account with a stored password; discovery logs in as the admin account"));
        return timed(target, "discover", () -> connector(target)
                .discover(new io.rotor.connector.DiscoverRequest(target, admin, filter)));
    }

    private Optional<Login> adminLogin(Account account, Target target) {
        String adminId = target.adminAccountId();
        if (adminId == null || (account != null && adminId.equals(account.id()))) {
            return Optional.empty();
        }
        Optional<Account> admin = accounts.findAccount(adminId);
        if (admin.isEmpty()) {
            return Optional.empty();
        }
        return credentials.read(adminId, Slot.CURRENT).map(c -> new Login(admin.get().username(), c.secret()));
    }

    /** Target settings that name the vault accounts an admin change elevates with (see {@link Elevation}). */
    static final String LOGIN_ACCOUNT = "loginAccount";
    static final String ENABLE_SECRET_ACCOUNT = "enableSecretAccount";

    /** What is wrong with the target's {@code loginAccount} / {@code enableSecretAccount} settings, if anything. */
    private Optional<String> elevationProblem(Target target) {
        for (String setting : java.util.List.of(LOGIN_ACCOUNT, ENABLE_SECRET_ACCOUNT)) {
            String id = target.setting(setting, null);
            if (id != null && !id.isBlank() && storedLogin(id.trim()).isEmpty()) {
                return Optional.of("target '" + target.id() + "': setting " + setting + " names account '" + id.trim()
                        + "', which does not exist or has no stored credential; nothing was sent");
            }
        }
        return Optional.empty();
    }

    /** The login account and enable secret the target's settings name (each may be absent). */
    private Elevation elevation(Target target) {
        String loginId = target.setting(LOGIN_ACCOUNT, null);
        String enableId = target.setting(ENABLE_SECRET_ACCOUNT, null);
        Login login = loginId == null || loginId.isBlank() ? null : storedLogin(loginId.trim()).orElse(null);
        Login enable = enableId == null || enableId.isBlank() ? null : storedLogin(enableId.trim()).orElse(null);
        return new Elevation(login, enable == null ? null : enable.secret());
    }

    private Optional<Login> storedLogin(String accountId) {
        Optional<Account> account = accounts.findAccount(accountId);
        if (account.isEmpty()) {
            return Optional.empty();
        }
        return credentials.read(accountId, Slot.CURRENT).map(c -> new Login(account.get().username(), c.secret()));
    }

    private AccountStatus previousStatus(Account account) {
        return account.status() == AccountStatus.PENDING ? AccountStatus.IN_SYNC : account.status();
    }

    private Target target(Account account) {
        return targets.findTarget(account.targetId()).orElseThrow(() ->
                new VaultException("account '" + account.id() + "' names unknown target '" + account.targetId() + "'"));
    }

    private PasswordPolicy policyFor(Account account, Target target) {
        String policyId = account.policyId() != null ? account.policyId() : target.policyId();
        if (policyId == null) {
            // a target that cannot take every default character (a network device's `?`) has its own default
            PasswordPolicy targetDefault = connectorDefaultPolicy(target);
            if (!targetDefault.id().equals(PasswordPolicy.defaults().id())) {
                return policies.findPolicy(targetDefault.id()).orElse(targetDefault);
            }
        }
        String named = policyId == null ? PasswordPolicy.defaults().id() : policyId;
        Optional<PasswordPolicy> stored = policies.findPolicy(named);
        if (stored.isPresent()) {
            return stored.get();
        }
        if (named.equals(PasswordPolicy.defaults().id())) {
            // "default" is the built-in policy unless the inventory declared its own
            return PasswordPolicy.defaults();
        }
        return stored.orElseThrow(() ->
                new VaultException("account '" + account.id() + "' names unknown password policy '" + policyId + "'"));
    }

    /**
     * What a target accepts, for a password sync group's policy check: its own policy when it names one, else the
     * symbols its connector takes literally (docs/architecture.md, "Password management").
     */
    public io.rotor.domain.PolicyFit.Capability capabilityOf(Target target) {
        if (target.policyId() != null) {
            Optional<PasswordPolicy> own = policies.findPolicy(target.policyId());
            if (own.isPresent()) {
                return io.rotor.domain.PolicyFit.Capability.ofSourcePolicy(target.id(), own.get());
            }
        }
        return io.rotor.domain.PolicyFit.Capability.ofConnectorDefault(target.id(), connectorDefaultPolicy(target));
    }

    /** The connector's default policy; the built-in one when no connector can be made (a vault-only set still works). */
    private PasswordPolicy connectorDefaultPolicy(Target target) {
        if (!connectors.supports(target.type())) {
            return PasswordPolicy.defaults();
        }
        try {
            return connector(target).defaultPolicy();
        } catch (IllegalArgumentException | IllegalStateException e) {
            return PasswordPolicy.defaults();
        }
    }

    private TargetConnector connector(Target target) {
        return connectors.connectorFor(target);
    }

    private <T> T timed(Target target, String operation, java.util.function.Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            metrics.targetLatency(target.id(), operation, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** Counts the result under the operation that was asked for (a rotation settled by recovery is still a rotation). */
    private OperationResult record(String operation, OperationResult result) {
        metrics.operation(operation, result.outcome().name());
        return result;
    }

    private static AuditRecord audit(String actor, String operation, Account account, String rotationId,
                                     String outcome, String detail) {
        return AuditRecord.of(actor, operation, account.id(), account.targetId(), rotationId, outcome, detail);
    }

    private static OperationResult result(Account account, String operation, Outcome outcome, AccountStatus status,
                                          String detail) {
        return new OperationResult(account.id(), operation, outcome, status, detail);
    }
}
