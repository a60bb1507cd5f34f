package io.rotor.workflow;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.ConnectorContext;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
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
 * by the *IT tests.
 */
public final class FakeTarget implements ConnectorFactory {
    public final Map<String, String> passwords = new ConcurrentHashMap<>();
    final List<String> offered = new ArrayList<>();
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
    /** Runs at the start of every change, before anything is applied (to act while a worker waits on the target). */
    volatile Runnable onChange;
    /** The last requests the connector saw (to check what the protocol hands a connector). */
    public volatile ChangeRequest lastChange;
    public volatile ReconcileRequest lastReconcile;
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
                logins++;
                if (unreachable) {
                    return VerifyResult.unreachable("connection refused");
                }
                String actual = passwords.get(request.login().username());
                return actual != null && actual.equals(request.login().secret().reveal())
                        ? VerifyResult.valid() : VerifyResult.rejected("password authentication failed");
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
                String next = request.newSecret().reveal();
                synchronized (offered) {
                    offered.add(next);
                }
                if (rejectNextChanges > 0) {
                    rejectNextChanges--;
                    return ChangeResult.rejected("password does not meet the server's policy");
                }
                if (request.admin() == null) {
                    String actual = passwords.get(request.username());
                    if (actual == null || !actual.equals(request.current().reveal())) {
                        return ChangeResult.rejected("login with the current password failed");
                    }
                } else {
                    String adminActual = passwords.get(request.admin().username());
                    if (adminActual == null || !adminActual.equals(request.admin().secret().reveal())) {
                        return ChangeResult.rejected("admin login failed");
                    }
                }
                if (unknownWithoutApplying) {
                    return ChangeResult.unknown("timeout");
                }
                passwords.put(request.username(), next);
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
                String adminActual = passwords.get(request.admin().username());
                if (adminActual == null || !adminActual.equals(request.admin().secret().reveal())) {
                    return ChangeResult.rejected("admin login failed");
                }
                passwords.put(request.username(), request.newSecret().reveal());
                reconciledTo.add(request.newSecret().reveal());
                return ChangeResult.changed();
            }

            @Override
            public io.rotor.domain.PasswordPolicy defaultPolicy() {
                return defaultPolicy != null ? defaultPolicy : TargetConnector.super.defaultPolicy();
            }

            @Override
            public DiscoverResult discover(DiscoverRequest request) {
                return new DiscoverResult(List.copyOf(passwords.keySet()));
            }

            @Override
            public void close() {
            }
        };
    }
}
