package io.rotor.cluster.agent;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Target;

import java.time.Duration;

/**
 * The server's connector for a target with a site (docs/architecture.md, "Agents"): it never connects to the target;
 * it hands each operation to an agent of the site through {@link AgentDispatcher} and waits for the outcome, with the
 * protocol's call timeout. To the protocol it is a connector like any other, so PENDING is committed before
 * {@link #change} is ever called. Outcomes:
 * <ul>
 *   <li>not handed out (no agent connected, or none took it in time): verify UNREACHABLE, change REJECTED (nothing
 *       was sent);</li>
 *   <li>taken and no outcome (the agent died or restarted mid-operation): verify UNREACHABLE, change UNKNOWN, which
 *       recovery settles later through an agent of the site;</li>
 *   <li>otherwise the agent's own connector's outcome.</li>
 * </ul>
 */
public final class AgentConnector implements TargetConnector {
    private final Target target;
    private final AgentDispatcher dispatcher;
    private final Duration handOut;
    private final Duration callTimeout;

    public AgentConnector(Target target, AgentDispatcher dispatcher, Duration handOut, Duration callTimeout) {
        this.target = target;
        this.dispatcher = dispatcher;
        this.handOut = handOut;
        this.callTimeout = callTimeout;
    }

    @Override
    public String type() {
        return target.type();
    }

    @Override
    public VerifyResult verify(VerifyRequest request) {
        AgentDispatcher.Answer a = send(AgentWire.Kind.VERIFY, request);
        return a.status() == AgentDispatcher.Status.DONE ? AgentWire.verifyResult(a.outcome())
                : VerifyResult.unreachable(a.detail());
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        return changeLike(send(AgentWire.Kind.CHANGE, request));
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        return changeLike(send(AgentWire.Kind.RECONCILE, request));
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        AgentDispatcher.Answer a = send(AgentWire.Kind.DISCOVER, request);
        if (a.status() != AgentDispatcher.Status.DONE) {
            throw new IllegalStateException("discovery on target '" + target.id() + "': " + a.detail());
        }
        return AgentWire.discoverResult(a.outcome());
    }

    private static ChangeResult changeLike(AgentDispatcher.Answer a) {
        return switch (a.status()) {
            case DONE -> AgentWire.changeResult(a.outcome());
            case NOT_SENT -> ChangeResult.rejected(a.detail());
            case LOST -> ChangeResult.unknown("outcome unknown: " + a.detail());
        };
    }

    private AgentDispatcher.Answer send(AgentWire.Kind kind, Object request) {
        return dispatcher.submit(target.site(), id -> AgentWire.write(id, kind, request), handOut, callTimeout);
    }

    @Override
    public void close() {
    }
}
