package io.rotor.connector;

import io.rotor.domain.Target;

/**
 * Makes the connector of a target that has a site ({@link Target#site()}): a target in a network that only that
 * site's agents reach. The server never connects to such a target; the connector it gets hands each operation to an
 * agent (docs/architecture.md, "Agents"). Without agents (a one-shot command, which serves no HTTP for them to poll)
 * {@link #NONE} refuses every operation, having sent nothing.
 */
@FunctionalInterface
public interface SiteConnectors {
    TargetConnector create(Target target);

    /** No agent can be reached from here: verify is UNREACHABLE, a change is REJECTED (nothing was sent). */
    SiteConnectors NONE = target -> new TargetConnector() {
        private String why() {
            return "target '" + target.id() + "' is in site '" + target.site() + "', reached only through that site's"
                    + " agents, which poll rotor serve; nothing was sent";
        }

        @Override
        public String type() {
            return target.type();
        }

        @Override
        public VerifyResult verify(VerifyRequest request) {
            return VerifyResult.unreachable(why());
        }

        @Override
        public ChangeResult change(ChangeRequest request) {
            return ChangeResult.rejected(why());
        }

        @Override
        public ChangeResult reconcile(ReconcileRequest request) {
            return ChangeResult.rejected(why());
        }

        @Override
        public DiscoverResult discover(DiscoverRequest request) {
            throw new IllegalStateException(why());
        }

        @Override
        public void close() {
        }
    };
}
