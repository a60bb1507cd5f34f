package io.rotor.domain;

/** No job has this id (the REST API answers 404). */
public class UnknownJobException extends RuntimeException {
    private final String jobId;

    public UnknownJobException(String jobId) {
        super("unknown job id '" + (jobId != null && jobId.length() > 64 ? jobId.substring(0, 64) + "..." : jobId) + "'");
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
