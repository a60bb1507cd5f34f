package io.rotor.workflow;

import io.rotor.domain.JobStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobVerdictTest {

    @Test
    void noFailureIsSuccessWithoutAReason() {
        assertThat(JobVerdict.decide(false, null, 10, 0, null)).isEqualTo(new JobVerdict(JobStatus.SUCCEEDED, null));
    }

    @Test
    void nothingToDoIsSuccess() {
        assertThat(JobVerdict.decide(false, null, 0, 0, null)).isEqualTo(new JobVerdict(JobStatus.SUCCEEDED, null));
    }

    @Test
    void someSucceededSomeFailedIsPartial() {
        assertThat(JobVerdict.decide(false, null, 7, 3, null)).isEqualTo(new JobVerdict(JobStatus.PARTIAL, "3 of 10 failed"));
    }

    @Test
    void noneSucceededIsFailed() {
        assertThat(JobVerdict.decide(false, null, 0, 4, null)).isEqualTo(new JobVerdict(JobStatus.FAILED, "all 4 failed"));
    }

    @Test
    void aFatalReasonFailsEvenWhenEverythingRecordedSucceeded() {
        assertThat(JobVerdict.decide(false, null, 5, 0, "the vault became unavailable"))
                .isEqualTo(new JobVerdict(JobStatus.FAILED, "the vault became unavailable"));
        assertThat(JobVerdict.decide(false, null, 0, 0, "unknown target id 'x'"))
                .isEqualTo(new JobVerdict(JobStatus.FAILED, "unknown target id 'x'"));
    }

    @Test
    void aBlankFatalReasonIsNoFatalReason() {
        assertThat(JobVerdict.decide(false, null, 2, 0, "  ").status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void cancelWinsAndSaysWhoAndHowFar() {
        assertThat(JobVerdict.decide(true, "cancelled by alice", 3, 1, null))
                .isEqualTo(new JobVerdict(JobStatus.CANCELLED, "cancelled by alice after 4 result(s): 3 succeeded, 1 failed"));
        assertThat(JobVerdict.decide(true, null, 0, 0, null))
                .isEqualTo(new JobVerdict(JobStatus.CANCELLED, "cancelled on request after 0 result(s): 0 succeeded, 0 failed"));
    }

    @Test
    void cancelWithAFatalReasonKeepsBoth() {
        JobVerdict verdict = JobVerdict.decide(true, "cancelled by bob", 1, 0, "vault down");
        assertThat(verdict.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(verdict.reason()).startsWith("cancelled by bob").endsWith("; vault down");
    }

    @Test
    void onlyQueuedAndRunningAreLive() {
        assertThat(JobStatus.values()).filteredOn(s -> !s.terminal()).containsExactly(JobStatus.QUEUED, JobStatus.RUNNING);
    }
}
