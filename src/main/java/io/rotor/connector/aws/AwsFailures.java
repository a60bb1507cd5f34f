package io.rotor.connector.aws;

import io.rotor.connector.ChangeResult;
import io.rotor.connector.VerifyResult;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * Sorts what the AWS SDK threw into what the rotation protocol needs (docs/architecture.md, "AWS IAM").
 * An answer of the service: 401/403 means the signing credential was refused (the SDK reports such errors from
 * moto, and some from AWS, with a null error code, so the status decides); another 4xx means the request was refused
 * and nothing changed; 5xx may or may not have been applied. No answer: a connection that never opened sent nothing;
 * anything else (a timeout, a cut, an answer that is not one) came after the request was sent.
 */
final class AwsFailures {
    enum Kind { CREDENTIAL_REFUSED, NOT_FOUND, REFUSED, SERVER_ERROR, NOT_SENT, NO_ANSWER }

    /** @param detail short, never a secret: the status, the service's error code and message, or the exception's class */
    record Failure(Kind kind, String detail) {
    }

    private AwsFailures() {
    }

    static Failure of(Throwable e) {
        if (e instanceof SdkServiceException service) {
            int status = service.statusCode();
            String code = service instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                    ? aws.awsErrorDetails().errorCode() : null;
            String message = service instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                    ? aws.awsErrorDetails().errorMessage() : null;
            String detail = "HTTP " + status + (code == null ? "" : " " + code) + (message == null ? "" : ": " + clip(message));
            Kind kind;
            if (status == 401 || status == 403) {
                kind = Kind.CREDENTIAL_REFUSED;
            } else if (status == 404 || "NoSuchEntity".equals(code)) {
                kind = Kind.NOT_FOUND;
            } else if (status >= 400 && status < 500) {
                kind = Kind.REFUSED;
            } else {
                kind = Kind.SERVER_ERROR;
            }
            return new Failure(kind, detail);
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            // Apache's HttpHostConnectException is a ConnectException; its ConnectTimeoutException is not a SocketTimeoutException
            if (c instanceof ConnectException || c instanceof NoRouteToHostException || c instanceof UnknownHostException
                    || c.getClass().getSimpleName().equals("ConnectTimeoutException")
                    || (c instanceof java.net.SocketTimeoutException && String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("connect timed out"))) {
                return new Failure(Kind.NOT_SENT, "could not connect: " + c.getClass().getSimpleName());
            }
        }
        String name = e instanceof SdkClientException ? "no usable answer" : "unexpected failure";
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new Failure(Kind.NO_ANSWER, name + ": " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + clip(root.getMessage())));
    }

    /** A failure of a request that only reads or that comes before the change: nothing was changed. */
    static ChangeResult beforeChange(Failure f, String what) {
        return f.kind() == Kind.CREDENTIAL_REFUSED
                ? ChangeResult.loginRefused(what + ": the target refused the signing key (" + f.detail() + ")")
                : ChangeResult.rejected(what + ": " + f.detail());
    }

    /** A failure of the request that changes the credential. */
    static ChangeResult ofChange(Failure f, String what) {
        return switch (f.kind()) {
            // AWS authenticates and authorises before it acts: a refused signature changed nothing
            case CREDENTIAL_REFUSED -> ChangeResult.loginRefused(what + ": the target refused the signing key (" + f.detail() + ")");
            case NOT_FOUND, REFUSED -> ChangeResult.rejected(what + ": " + f.detail());
            case NOT_SENT -> ChangeResult.rejected(what + ": nothing sent, " + f.detail());
            case SERVER_ERROR, NO_ANSWER -> ChangeResult.unknown(what + ": outcome unknown, " + f.detail());
        };
    }

    /** A failure of a login check signed with the credential under test (STS GetCallerIdentity). */
    static VerifyResult ofLogin(Failure f) {
        return f.kind() == Kind.CREDENTIAL_REFUSED
                ? VerifyResult.rejected("the target refused the key: " + f.detail())
                : VerifyResult.unreachable(f.detail());
    }

    private static String clip(String text) {
        String oneLine = text.replaceAll("[\\p{Cntrl}]", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
