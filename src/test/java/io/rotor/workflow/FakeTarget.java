package io.rotor.workflow;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.FaultProxy;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Target;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double of a target for unit tests of the protocol: an in-memory map of username → password with
 * switches for the answers that matter (rejection, unknown outcome, unreachable). Real targets are exercised
 * by the *IT tests; this one passes the same connector contract ({@code InMemoryContractTest}), its network
 * faults modelled by {@link #fault}.
 */
public final class FakeTarget implements ConnectorFactory {
    public final Map<String, String> passwords = new ConcurrentHashMap<>();
    /** What discovery reports about a login besides its name (uid, privileges); none when absent. */
    public final Map<String, io.rotor.connector.LoginFacts> facts = new ConcurrentHashMap<>();
    final List<String> offered = new ArrayList<>();
    /** The usernames whose password changed, in the order the changes were applied. */
    public final List<String> changedUsernames = java.util.Collections.synchronizedList(new ArrayList<>());
    /** The values admin reconciles set, in order. */
    final List<String> reconciledTo = new java.util.concurrent.CopyOnWriteArrayList<>();
    public volatile int rejectNextChanges;
    /** The change is applied but the caller is told "outcome unknown". */
    volatile boolean unknownAfterApplying;
    /** The change is not applied and the caller is told "outcome unknown". */
    volatile boolean unknownWithoutApplying;
    volatile boolean unreachable;
    /** The change applies, then the target becomes unreachable and the caller hears "outcome unknown". */
    volatile boolean unreachableAfterChange;
    /** The change applies, then someone else sets a password nobody knows; the caller hears "outcome unknown". */
    volatile boolean hijackedAfterChange;
    volatile int logins;
    /** Logins the target refused (verify, or the login a change or reconcile runs in): what a lockout counts. */
    public volatile int refusedLogins;
    /** Runs at the start of every change, before anything is applied (to act while a worker waits on the target). */
    volatile Runnable onChange;
    /** The last requests the connector saw (to check what the protocol hands a connector). */
    public volatile ChangeRequest lastChange;
    public volatile ReconcileRequest lastReconcile;
    /** A network fault the fake plays (the contract's {@link FaultProxy.Mode}s); PASS: none. */
    public volatile FaultProxy.Mode fault = FaultProxy.Mode.PASS;
    /** Every secret the connector would have put on the wire: login secrets and candidates. */
    public final StringBuffer wire = new StringBuffer();
    /** The filter of the last discovery (the double lists every login whatever the filter). */
    public volatile String lastDiscoverFilter;
    /**
     * What verify proves: LOGIN checks the password; CONFIRMED (a cloud console without a login check) only reads
     * the account through the admin login it is given, and cannot tell one password from another.
     */
    public volatile io.rotor.connector.VerificationKind kind = io.rotor.connector.VerificationKind.LOGIN;
    /** The next admin reconciles the target refuses (nothing applied) or answers with "outcome unknown" (nothing applied). */
    public volatile int rejectNextReconciles;
    public volatile int unknownNextReconciles;
    /** The last verify request the connector saw. */
    public volatile VerifyRequest lastVerify;
    /** What {@link TargetConnector#defaultPolicy()} answers; null: the built-in default. */
    public volatile io.rotor.domain.PasswordPolicy defaultPolicy;

    @Override
    public String type() {
        return "fake";
    }

    @Override
    public TargetConnector create(Target target, ConnectorContext context) {
        return new TargetConnector() {
            @Override
            public String type() {
                return "fake";
            }

            @Override
            public VerifyResult verify(VerifyRequest request) {
                lastVerify = request;
                logins++;
                if (unreachable) {
                    return VerifyResult.unreachable("connection refused");
                }
                String fault = beforeSending(target);
                if (fault != null) {
                    return VerifyResult.unreachable(fault);
                }
                if (kind == io.rotor.connector.VerificationKind.CONFIRMED) {
                    // no login exists: the admin reads the account, which proves nothing about the password
                    if (request.admin() == null || !request.admin().secret().reveal().equals(passwords.get(request.admin().username()))) {
                        return VerifyResult.rejected("no admin login to confirm through");
                    }
                    return passwords.containsKey(request.login().username()) ? VerifyResult.valid()
                            : VerifyResult.rejected("no such user");
                }
                wire.append(request.login().secret().reveal());
                String actual = passwords.get(request.login().username());
                if (actual != null && actual.equals(request.login().secret().reveal())) {
                    return VerifyResult.valid();
                }
                refusedLogins++;
                return VerifyResult.rejected("password authentication failed");
            }

            @Override
            public ChangeResult change(ChangeRequest request) {
                lastChange = request;
                Runnable hook = onChange;
                if (hook != null) {
                    hook.run();
                }
                if (unreachable) {
                    return ChangeResult.rejected("connection refused before anything was sent");
                }
                String fault = beforeSending(target);
                if (fault != null) {
                    return ChangeResult.rejected(fault + ", nothing was sent");
                }
                // like the real connectors: the login comes first, and a refused one offers no candidate
                if (request.admin() == null) {
                    String actual = passwords.get(request.username());
                    if (actual == null || !actual.equals(request.current().reveal())) {
                        refusedLogins++;
                        return ChangeResult.loginRefused("login with the current password failed");
                    }
                } else {
                    String adminActual = passwords.get(request.admin().username());
                    if (adminActual == null || !adminActual.equals(request.admin().secret().reveal())) {
                        refusedLogins++;
                        return ChangeResult.loginRefused("admin login failed");
                    }
                }
                String next = request.newSecret().reveal();
                synchronized (offered) {
                    offered.add(next);
                }
                wire.append(next);
                if (rejectNextChanges > 0) {
                    rejectNextChanges--;
                    return ChangeResult.rejected("password does not meet the server's policy");
                }
                if (unknownWithoutApplying) {
                    return ChangeResult.unknown("timeout");
                }
                passwords.put(request.username(), next);
                changedUsernames.add(request.username());
                String after = afterApplying(target);
                if (after != null) {
                    return ChangeResult.unknown(after);
                }
                if (unreachableAfterChange) {
                    unreachable = true;
                    return ChangeResult.unknown("connection lost after the change was sent");
                }
                if (hijackedAfterChange) {
                    passwords.put(request.username(), "nobody-knows-this-one");
                    return ChangeResult.unknown("timeout");
                }
                return unknownAfterApplying ? ChangeResult.unknown("connection lost after the change was sent") : ChangeResult.changed();
            }

            @Override
            public ChangeResult reconcile(ReconcileRequest request) {
                lastReconcile = request;
                String fault = beforeSending(target);
                if (fault != null) {
                    return ChangeResult.rejected(fault + ", nothing was sent");
                }
                wire.append(request.newSecret().reveal());
                String adminActual = passwords.get(request.admin().username());
                if (adminActual == null || !adminActual.equals(request.admin().secret().reveal())) {
                    refusedLogins++;
                    return ChangeResult.loginRefused("admin login failed");
                }
                if (rejectNextReconciles > 0) {
                    rejectNextReconciles--;
                    return ChangeResult.rejected("password does not meet the server's policy");
                }
                if (unknownNextReconciles > 0) {
                    unknownNextReconciles--;
                    return ChangeResult.unknown("timeout");
                }
                passwords.put(request.username(), request.newSecret().reveal());
                reconciledTo.add(request.newSecret().reveal());
                String after = afterApplying(target);
                return after != null ? ChangeResult.unknown(after) : ChangeResult.changed();
            }

            @Override
            public io.rotor.connector.VerificationKind verificationKind(io.rotor.domain.CredentialType type) {
                return kind;
            }

            @Override
            public io.rotor.domain.PasswordPolicy defaultPolicy() {
                return defaultPolicy != null ? defaultPolicy : TargetConnector.super.defaultPolicy();
            }

            @Override
            public DiscoverResult discover(DiscoverRequest request) {
                lastDiscoverFilter = request.filter();
                return new DiscoverResult(List.copyOf(passwords.keySet()), facts);
            }

            @Override
            public void close() {
            }
        };
    }

    /** What a fault does before anything is sent: the reason the connection gave nothing, or null. */
    private String beforeSending(Target target) {
        return switch (fault) {
            case REFUSE -> "connection refused";
            case SILENT -> {
                sleepTimeout(target);
                yield "no answer within " + timeoutSeconds(target) + " s";
            }
            case FLOOD -> "the target sent more than the connector reads";
            default -> null;
        };
    }

    /** What a fault does once the change was applied: the "outcome unknown" reason, or null. */
    private String afterApplying(Target target) {
        return switch (fault) {
            case CUT_AFTER_CHANGE -> "connection lost after the change was sent";
            case HANG_AFTER_CHANGE -> {
                sleepTimeout(target);
                yield "no answer within " + timeoutSeconds(target) + " s after the change was sent";
            }
            default -> null;
        };
    }

    private static long timeoutSeconds(Target target) {
        return target == null ? 0 : Long.parseLong(target.setting("timeoutSeconds", "0"));
    }

    private static void sleepTimeout(Target target) {
        try {
            Thread.sleep(timeoutSeconds(target) * 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
