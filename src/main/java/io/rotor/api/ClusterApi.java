package io.rotor.api;

import io.rotor.cluster.ClusterNode;

/**
 * {@code GET /api/v1/cluster} (admin, operator, auditor): the nodes on this vault, their last heartbeat by the vault's
 * clock, whether they count as alive, and what they run (job batches in hand, the singletons they ran last). One
 * node on the embedded default. Never a secret: node ids, process identities and job ids only.
 */
public class ClusterApi {
    private final ClusterNode node;

    public ClusterApi(ClusterNode node) {
        this.node = node;
    }

    public ClusterNode.View view() {
        return node.view();
    }
}
