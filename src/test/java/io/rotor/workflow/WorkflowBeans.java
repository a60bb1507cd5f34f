package io.rotor.workflow;

import io.rotor.api.JobApi;
import io.rotor.vault.Vault;
import io.rotor.workflow.report.JobReportWriter;
import org.apache.camel.spi.Registry;

import java.nio.file.Path;
import java.util.Map;

/** Binds the beans the bulk-workflow routes refer to, as RotorRuntime does, for route tests that load every route. */
public final class WorkflowBeans {
    private WorkflowBeans() {
    }

    public static JobStore bind(Registry registry, Vault vault, RotationService rotation, Path dataDir) {
        JobStore jobs = new JobStore(vault.jobs(), vault.jobResults());
        JobReportWriter reports = new JobReportWriter(jobs, dataDir);
        WorkflowJobs workflowJobs = new WorkflowJobs(jobs, reports);
        registry.bind("jobStore", jobs);
        registry.bind("workflowJobs", workflowJobs);
        registry.bind("batchDispatch", new BatchDispatch.Local(workflowJobs));
        registry.bind("clusterNode", new io.rotor.cluster.ClusterNode(io.rotor.cluster.ClusterSettings.standalone(), vault.cluster()));
        PerTargetLimiter limiter = new PerTargetLimiter(PerTargetLimiter.DEFAULT_LIMIT, Map.of());
        registry.bind("perTargetLimiter", limiter);
        registry.bind("jobRotations", new JobRotations(vault.accounts(), limiter, rotation));
        registry.bind("heartbeat", new Heartbeat(vault.accounts(), new HeartbeatPlanner(java.time.Duration.ofSeconds(1), 100), limiter, rotation));
        VaultSync vaultSync = new VaultSync(vault.credentials(), vault.attributes());
        registry.bind("vaultSync", vaultSync);
        registry.bind("massOnboard", new MassOnboard(workflowJobs, vault, rotation, vaultSync));
        registry.bind("massPasswordReset", new MassPasswordReset(workflowJobs, new BatchPlanner(vault.jobs()),
                vault.accounts(), vault.attributes(), vault.targets(), vaultSync));
        registry.bind("batchResultsStrategy", new BatchResultsStrategy(jobs));
        registry.bind("singleUserOffboard", new SingleUserOffboard(workflowJobs, vault.groups(), vault.attributes(),
                vault.access()));
        registry.bind("rotorCheckouts", new Checkouts(vault.accounts(), vault.credentials()));
        registry.bind("rotorRouteBodies", new io.rotor.camel.route.RouteBodies());
        registry.bind("rotorHttpHeaders", new io.rotor.camel.route.RouteHttpHeaders());
        registry.bind("apiJobs", new JobApi(vault.targets(), vault.users(), vault.templates(), jobs, reports));
        return jobs;
    }
}
