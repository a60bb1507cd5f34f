package io.rotor.api;

/**
 * A refused request: the HTTP status, a stable code a client can switch on, and a message for people that names
 * the field at fault and never holds a secret.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** 429: the client must wait {@code retryAfter} (sent as {@code Retry-After}, whole seconds rounded up). */
    public static ApiException tooManyRequests(java.time.Duration retryAfter, String message) {
        return new TooManyRequests(retryAfter, message);
    }

    /** Seconds a client must wait before trying again, or -1 when the answer has no {@code Retry-After}. */
    public long retryAfterSeconds() {
        return -1;
    }

    /**
     * 503 with {@code Retry-After}: what was asked for exists but is not ready yet (a job's report being written); the
     * client asks again after {@code retryAfter}.
     */
    public static ApiException notReadyYet(java.time.Duration retryAfter, String code, String message) {
        return new TooManyRequests(503, code, retryAfter, message);
    }

    private static final class TooManyRequests extends ApiException {
        private final long seconds;

        TooManyRequests(java.time.Duration retryAfter, String message) {
            this(429, "TOO_MANY_REQUESTS", retryAfter, message);
        }

        TooManyRequests(int status, String code, java.time.Duration retryAfter, String message) {
            super(status, code, message);
            long s = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
            this.seconds = Math.max(1, s);
        }

        @Override
        public long retryAfterSeconds() {
            return seconds;
        }
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message);
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }
}
