package io.rotor.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Job;
import io.rotor.domain.JobStatus;
import io.rotor.domain.JobStep;
import io.rotor.workflow.report.JobReportWriter;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The job life cycle shared by every bulk workflow route: {@link #begin} (QUEUED → RUNNING, the job's parameters
 * become headers), {@link #end} (steps and job get their verdict, the SQLite report is written when asked) and
 * {@link #fail} (a fatal error ends the job FAILED with the reason). The routes orchestrate; this bean only keeps
 * the books in the {@link JobStore}.
 */
public class WorkflowJobs {
    private static final Logger LOG = LoggerFactory.getLogger(WorkflowJobs.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Header set by {@link #begin}: false when the job must not run (cancelled while queued, or unknown). */
    public static final String RUN = "jobRun";

    private final JobStore jobs;
    private final JobReportWriter reports;

    public WorkflowJobs(JobStore jobs, JobReportWriter reports) {
        this.jobs = jobs;
        this.reports = reports;
    }

    public JobStore jobs() {
        return jobs;
    }

    /**
     * Marks the job RUNNING and copies its parameters to headers (arrays as {@code List<String>}), plus
     * {@code actor} (who asked), {@code dryRun} and {@value #RUN}.
     */
    public void begin(Exchange exchange) {
        Message in = exchange.getIn();
        String jobId = in.getHeader("jobId", String.class);
        Job job = jobs.find(jobId).orElse(null);
        if (job == null || !jobs.markRunning(jobId)) {
            LOG.info("job {} does not run: it was cancelled before it started, or is unknown", jobId);
            in.setHeader(RUN, false);
            return;
        }
        in.setHeader(RUN, true);
        in.setHeader("actor", actorOf(job));
        in.setHeader("dryRun", job.dryRun());
        JsonNode parameters = parameters(job);
        parameters.fields().forEachRemaining(field -> in.setHeader(field.getKey(), value(field.getValue())));
        LOG.info("job {} ({}) started{}", jobId, job.workflow(), job.dryRun() ? " as a dry run" : "");
    }

    /**
     * For a node that takes a batch of a job another node started (docs/architecture.md, "Cluster"): copies the
     * job's parameters to headers as {@link #begin} does, without changing its status. {@value #RUN} is false when the
     * job is no longer RUNNING or a cancel was requested: the batch is then not run.
     */
    public void joinRunning(Exchange exchange) {
        Message in = exchange.getIn();
        String jobId = in.getHeader("jobId", String.class);
        Job job = jobs.find(jobId).orElse(null);
        if (job == null || job.status() != JobStatus.RUNNING || jobs.isCancelRequested(jobId)) {
            in.setHeader(RUN, false);
            return;
        }
        in.setHeader(RUN, true);
        in.setHeader("actor", actorOf(job));
        in.setHeader("dryRun", job.dryRun());
        parameters(job).fields().forEachRemaining(field -> in.setHeader(field.getKey(), value(field.getValue())));
    }

    /** The actor a job's operations run as: {@code job:<id>:<who asked>}. */
    public static String actorOf(Job job) {
        return "job:" + job.id() + ":" + job.createdBy();
    }

    /** Declares the steps and starts them all (their results are recorded per account as the batches run). */
    public void startSteps(String jobId, List<String> steps) {
        jobs.planSteps(jobId, steps);
        for (int i = 0; i < steps.size(); i++) {
            jobs.startStep(jobId, i + 1, steps.get(i));
        }
    }

    /** Ends the job (and its running steps) from its counters; writes the report when it was requested. */
    public Job end(@Header("jobId") String jobId) {
        announceReport(jobId);
        Job job;
        try {
            finishSteps(jobId, null);
            job = jobs.finish(jobId, null);
        } catch (RuntimeException e) {
            withdrawReport(jobId);
            throw e;
        }
        writeReport(job);
        LOG.info("job {} ended {}{}", jobId, job.status(), job.reason() == null ? "" : ": " + job.reason());
        return job;
    }

    /** Ends the job FAILED because of {@code failure} (the vault went away, the plan could not be made). */
    public Job fail(@Header("jobId") String jobId, Exception failure) {
        String reason = "the job stopped: " + (failure == null ? "unknown error"
                : failure.getClass().getSimpleName() + ": " + failure.getMessage());
        announceReport(jobId);
        try {
            finishSteps(jobId, reason);
            Job job = jobs.finish(jobId, reason);
            writeReport(job);
            LOG.warn("job {} ended {}: {}", jobId, job.status(), job.reason());
            return job;
        } catch (RuntimeException e) {
            withdrawReport(jobId);
            LOG.warn("job {} could not be ended after '{}': {}", jobId, reason, e.getMessage());
            return jobs.find(jobId).orElse(null);
        }
    }

    /**
     * Batches of {@code source} that stop being handed out once a cancel was requested: the batches already in
     * flight finish, no new one starts.
     */
    public <T> Iterator<List<T>> untilCancelled(String jobId, Iterator<List<T>> source) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !jobs.isCancelRequested(jobId) && source.hasNext();
            }

            @Override
            public List<T> next() {
                return source.next();
            }
        };
    }

    private void finishSteps(String jobId, String reason) {
        for (JobStep step : jobs.steps(jobId)) {
            if (step.status() == JobStatus.RUNNING) {
                jobs.finishStep(jobId, step.stepNo(), reason);
            }
        }
    }

    /** The end is about to be recorded: a client asking for the report from then on is told it is being written. */
    private void announceReport(String jobId) {
        if (reports == null) {
            return;
        }
        try {
            if (jobs.find(jobId).map(Job::reportRequested).orElse(false)) {
                reports.announce(jobId);
            }
        } catch (IllegalArgumentException notAJobId) {
            // not a job id: nothing will be written for it
        }
    }

    private void withdrawReport(String jobId) {
        if (reports != null) {
            try {
                reports.withdraw(jobId);
            } catch (IllegalArgumentException notAJobId) {
                // never announced
            }
        }
    }

    private void writeReport(Job job) {
        if (job != null && job.reportRequested() && reports != null) {
            try {
                reports.write(job.id());
            } catch (RuntimeException e) {
                LOG.warn("the report of job {} could not be written: {}", job.id(), e.getMessage());
            } finally {
                reports.withdraw(job.id());
            }
        }
    }

    static JsonNode parameters(Job job) {
        try {
            return job.parametersJson() == null ? JSON.createObjectNode() : JSON.readTree(job.parametersJson());
        } catch (IOException e) {
            throw new IllegalStateException("the parameters of job " + job.id() + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static Object value(JsonNode node) {
        if (node.isArray()) {
            List<String> values = new ArrayList<>();
            node.forEach(n -> values.add(n.asText()));
            return values;
        }
        if (node.isInt() || node.isLong()) {
            return node.asInt();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.isNull() ? null : node.asText();
    }
}
