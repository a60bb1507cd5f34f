package io.rotor.vault;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's rows in the vault (migration V13, docs/architecture.md "Cluster"): the nodes and their heartbeats
 * (measured with the vault database's clock), the batches of the jobs shared through the broker, and the firings of
 * the clustered schedules. Nothing here holds a secret.
 */
public final class ClusterRepository {
    /** A node as the cluster view shows it; {@code secondsSinceHeartbeat} by the database's clock. */
    public record Node(String nodeId, String process, String role, Instant startedAt, Instant lastHeartbeat,
                       long secondsSinceHeartbeat, String running) {
    }

    /** What the node that takes a batch finds: how often it was taken before, by whom, and whether it is done. */
    public record Claim(String status, int deliveries, String takenBefore) {
        public boolean done() {
            return "DONE".equals(status);
        }

        public boolean redelivered() {
            return deliveries > 1;
        }
    }

    /** A distributed job: who drives it, which route runs its batches, how many were handed out (null: not all yet). */
    public record ClusterJob(String jobId, String nodeId, String batchRoute, Integer batches, boolean ended) {
    }

    /** One schedule firing. */
    public record Fire(String trigger, Instant scheduledAt, Instant firedAt, String nodeId) {
    }

    private final UnitOfWork work;

    public ClusterRepository(UnitOfWork work) {
        this.work = work;
    }

    // ---------------------------------------------------------------- nodes

    /**
     * Registers (or re-registers) the node and answers whether it is the only live node, so that it runs the
     * start-up recovery sweep: the singleton row is locked for the check, so two nodes starting at once see each
     * other and only the first sweeps.
     */
    public boolean joinAndClaimStartupSweep(String nodeId, String process, String role, int liveSeconds) {
        return work.inTransaction(h -> {
            h.createQuery("SELECT name FROM cluster_singletons WHERE name = 'startup-recovery' FOR UPDATE").mapTo(String.class).list();
            int others = h.createQuery("SELECT COUNT(*) FROM cluster_nodes WHERE node_id <> :id AND last_heartbeat > "
                            + liveSince(liveSeconds))
                    .bind("id", nodeId).mapTo(Integer.class).one();
            upsertNode(h, nodeId, process, role, "starting");
            h.createUpdate("UPDATE cluster_nodes SET started_at = CURRENT_TIMESTAMP WHERE node_id = :id").bind("id", nodeId).execute();
            if (others == 0) {
                h.createUpdate("UPDATE cluster_singletons SET node_id = :id, claimed_at = CURRENT_TIMESTAMP"
                        + " WHERE name = 'startup-recovery'").bind("id", nodeId).execute();
            }
            return others == 0;
        });
    }

    /** The node's heartbeat: last_heartbeat by the database's clock, its role and what it runs now. */
    public void heartbeat(String nodeId, String process, String role, String running) {
        work.useTransaction(h -> upsertNode(h, nodeId, process, role, running));
    }

    private static void upsertNode(org.jdbi.v3.core.Handle h, String nodeId, String process, String role, String running) {
        String cut = running == null ? null : running.length() > 2000 ? running.substring(0, 1990) + "..." : running;
        int updated = h.createUpdate("UPDATE cluster_nodes SET process = :process, role = :role, running = :running,"
                        + " last_heartbeat = CURRENT_TIMESTAMP WHERE node_id = :id")
                .bind("process", process).bind("role", role).bind("running", cut).bind("id", nodeId).execute();
        if (updated == 0) {
            h.createUpdate("INSERT INTO cluster_nodes (node_id, process, role, started_at, last_heartbeat, running)"
                            + " VALUES (:id, :process, :role, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :running)")
                    .bind("process", process).bind("role", role).bind("running", cut).bind("id", nodeId).execute();
        }
    }

    /** Every node that ever joined, with its age by the database's clock. */
    public List<Node> nodes() {
        return work.read(h -> h.createQuery("SELECT node_id, process, role, started_at, last_heartbeat, running,"
                        + " CURRENT_TIMESTAMP FROM cluster_nodes ORDER BY node_id")
                .map((r, ctx) -> {
                    Instant last = r.getTimestamp(5).toInstant();
                    Instant now = r.getTimestamp(7).toInstant();
                    return new Node(r.getString(1), r.getString(2), r.getString(3), r.getTimestamp(4).toInstant(), last,
                            Math.max(0, java.time.Duration.between(last, now).getSeconds()), r.getString(6));
                }).list());
    }

    /** The processes of the nodes whose heartbeat is younger than {@code liveSeconds}. */
    public Set<String> liveProcesses(int liveSeconds) {
        return new HashSet<>(work.read(h -> h.createQuery("SELECT process FROM cluster_nodes WHERE last_heartbeat > "
                + liveSince(liveSeconds)).mapTo(String.class).list()));
    }

    public Set<String> liveNodes(int liveSeconds) {
        return new HashSet<>(work.read(h -> h.createQuery("SELECT node_id FROM cluster_nodes WHERE last_heartbeat > "
                + liveSince(liveSeconds)).mapTo(String.class).list()));
    }

    private static String liveSince(int seconds) {
        // an integer from configuration, never user input; both H2 and PostgreSQL read this interval form
        return "CURRENT_TIMESTAMP - INTERVAL '" + Math.max(1, seconds) + "' SECOND";
    }

    // ---------------------------------------------------------------- distributed jobs

    public void registerJob(String jobId, String nodeId, String batchRoute) {
        work.useTransaction(h -> {
            if (h.createUpdate("UPDATE cluster_jobs SET node_id = :node WHERE job_id = :job").bind("node", nodeId)
                    .bind("job", jobId).execute() == 0) {
                h.createUpdate("INSERT INTO cluster_jobs (job_id, node_id, batch_route) VALUES (:job, :node, :route)")
                        .bind("job", jobId).bind("node", nodeId).bind("route", batchRoute).execute();
            }
        });
    }

    public Optional<ClusterJob> findJob(String jobId) {
        return work.read(h -> h.createQuery("SELECT job_id, node_id, batch_route, batches, ended FROM cluster_jobs WHERE job_id = :job")
                .bind("job", jobId).map((r, ctx) -> new ClusterJob(r.getString(1), r.getString(2), r.getString(3),
                        (Integer) r.getObject(4, Integer.class), r.getBoolean(5))).findOne());
    }

    /** Distributed jobs still RUNNING whose driver has not handed out every batch. */
    public List<ClusterJob> jobsBeingHandedOut() {
        return work.read(h -> h.createQuery("SELECT c.job_id, c.node_id, c.batch_route, c.batches, c.ended FROM cluster_jobs c"
                        + " JOIN jobs j ON j.id = c.job_id WHERE c.batches IS NULL AND j.status = 'RUNNING'")
                .map((r, ctx) -> new ClusterJob(r.getString(1), r.getString(2), r.getString(3), null, r.getBoolean(5))).list());
    }

    /** Records a batch before it is published; false when this batch number was already handed out. */
    public boolean addBatch(String jobId, int batchNo, int size) {
        return work.inTransaction(h -> {
            boolean exists = h.createQuery("SELECT COUNT(*) FROM cluster_job_batches WHERE job_id = :job AND batch_no = :no")
                    .bind("job", jobId).bind("no", batchNo).mapTo(Integer.class).one() > 0;
            if (exists) {
                return false;
            }
            h.createUpdate("INSERT INTO cluster_job_batches (job_id, batch_no, size, status) VALUES (:job, :no, :size, 'QUEUED')")
                    .bind("job", jobId).bind("no", batchNo).bind("size", size).execute();
            return true;
        });
    }

    public int batchCount(String jobId) {
        return work.read(h -> h.createQuery("SELECT COUNT(*) FROM cluster_job_batches WHERE job_id = :job")
                .bind("job", jobId).mapTo(Integer.class).one());
    }

    /** The driver handed out every batch: {@code count} of them. */
    public void allHandedOut(String jobId, int count) {
        work.useTransaction(h -> h.createUpdate("UPDATE cluster_jobs SET batches = :n WHERE job_id = :job")
                .bind("n", count).bind("job", jobId).execute());
    }

    /** A node takes a batch (RUNNING, one delivery more); answers what it was before. */
    public Claim claimBatch(String jobId, int batchNo, String nodeId) {
        return work.inTransaction(h -> {
            Optional<Claim> before = h.createQuery("SELECT status, deliveries, taken_by FROM cluster_job_batches"
                            + " WHERE job_id = :job AND batch_no = :no FOR UPDATE")
                    .bind("job", jobId).bind("no", batchNo)
                    .map((r, ctx) -> new Claim(r.getString(1), r.getInt(2), r.getString(3))).findOne();
            if (before.isEmpty()) {
                throw new IllegalStateException("batch " + batchNo + " of job " + jobId + " was never handed out");
            }
            if (before.get().done()) {
                return before.get();
            }
            String takenBy = before.get().takenBefore() == null ? nodeId : before.get().takenBefore() + "," + nodeId;
            h.createUpdate("UPDATE cluster_job_batches SET status = 'RUNNING', node_id = :node, deliveries = deliveries + 1,"
                            + " taken_by = :taken WHERE job_id = :job AND batch_no = :no")
                    .bind("node", nodeId).bind("taken", takenBy.length() > 2000 ? takenBy.substring(takenBy.length() - 2000) : takenBy)
                    .bind("job", jobId).bind("no", batchNo).execute();
            return new Claim(before.get().status(), before.get().deliveries() + 1, before.get().takenBefore());
        });
    }

    /**
     * Marks the batch DONE and answers whether the job is now complete and this caller is the one to end it: every
     * batch handed out and DONE, and {@code ended} flipped by this call (exactly one node wins).
     */
    public boolean batchDone(String jobId, int batchNo) {
        return work.inTransaction(h -> {
            h.createUpdate("UPDATE cluster_job_batches SET status = 'DONE' WHERE job_id = :job AND batch_no = :no")
                    .bind("job", jobId).bind("no", batchNo).execute();
            return claimEndIfComplete(h, jobId);
        });
    }

    /** After the last batch was handed out: true when every batch is already DONE and this caller ends the job. */
    public boolean claimEndIfComplete(String jobId) {
        return work.inTransaction(h -> claimEndIfComplete(h, jobId));
    }

    private static boolean claimEndIfComplete(org.jdbi.v3.core.Handle h, String jobId) {
        Integer batches = h.createQuery("SELECT batches FROM cluster_jobs WHERE job_id = :job FOR UPDATE")
                .bind("job", jobId).mapTo(Integer.class).findOne().orElse(null);
        if (batches == null) {
            return false;
        }
        int done = h.createQuery("SELECT COUNT(*) FROM cluster_job_batches WHERE job_id = :job AND status = 'DONE'")
                .bind("job", jobId).mapTo(Integer.class).one();
        if (done < batches) {
            return false;
        }
        return h.createUpdate("UPDATE cluster_jobs SET ended = TRUE WHERE job_id = :job AND ended = FALSE")
                .bind("job", jobId).execute() == 1;
    }

    /** node → batches it took (a redelivered batch counts for every node that took it). */
    public java.util.Map<String, Integer> batchesPerNode(String jobId) {
        java.util.Map<String, Integer> perNode = new java.util.TreeMap<>();
        work.read(h -> h.createQuery("SELECT taken_by FROM cluster_job_batches WHERE job_id = :job")
                .bind("job", jobId).mapTo(String.class).list()).forEach(takenBy -> {
                    if (takenBy != null) {
                        for (String node : takenBy.split(",")) {
                            perNode.merge(node, 1, Integer::sum);
                        }
                    }
                });
        return perNode;
    }

    // ---------------------------------------------------------------- redelivery checks

    /**
     * Of {@code accountIds}, those whose rotation {@code actor} committed: the commit's audit record is written in the
     * commit's own transaction, so it is there exactly when the new credential is CURRENT.
     */
    public Set<String> committedBy(String actor, String operation, Collection<String> accountIds) {
        if (accountIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(work.read(h -> h.createQuery("SELECT DISTINCT account_id FROM audit_log WHERE actor = :actor"
                        + " AND operation = :op AND outcome = 'SUCCEEDED' AND account_id IN (<ids>)")
                .bind("actor", actor).bind("op", operation).bindList("ids", List.copyOf(accountIds))
                .mapTo(String.class).list()));
    }

    /** Of {@code accountIds}, those that already have a result for {@code step} in the job. */
    public Set<String> withResult(String jobId, String step, Collection<String> accountIds) {
        if (accountIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(work.read(h -> h.createQuery("SELECT DISTINCT account_id FROM job_results WHERE job_id = :job"
                        + " AND step = :step AND account_id IN (<ids>)")
                .bind("job", jobId).bind("step", step).bindList("ids", List.copyOf(accountIds)).mapTo(String.class).list()));
    }

    /** Of {@code accountIds}, those under a lease that has not expired by the database's clock. */
    public Set<String> leased(Collection<String> accountIds) {
        if (accountIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(work.read(h -> h.createQuery("SELECT id FROM accounts WHERE lock_token IS NOT NULL"
                        + " AND lock_until > CURRENT_TIMESTAMP AND id IN (<ids>)")
                .bindList("ids", List.copyOf(accountIds)).mapTo(String.class).list()));
    }

    // ---------------------------------------------------------------- schedule firings

    public void recordFire(String trigger, Instant scheduledAt, String nodeId) {
        work.useTransaction(h -> h.createUpdate("INSERT INTO cluster_schedule_fires (trigger_name, scheduled_at, fired_at, node_id)"
                        + " VALUES (:trigger, :scheduled, :fired, :node)")
                .bind("trigger", trigger).bind("scheduled", Timestamp.from(scheduledAt))
                .bind("fired", Timestamp.from(work.now())).bind("node", nodeId).execute());
    }

    public List<Fire> fires(String trigger) {
        return work.read(h -> h.createQuery("SELECT trigger_name, scheduled_at, fired_at, node_id FROM cluster_schedule_fires"
                        + " WHERE trigger_name = :trigger ORDER BY scheduled_at, seq")
                .bind("trigger", trigger).map((r, ctx) -> new Fire(r.getString(1), r.getTimestamp(2).toInstant(),
                        r.getTimestamp(3).toInstant(), r.getString(4))).list());
    }
}
