package io.rotor.connector.aws;

import io.rotor.connector.ChangeResult;
import io.rotor.connector.VerifyResult;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.iam.model.IamException;
import software.amazon.awssdk.services.sts.model.StsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class AwsFailuresTest {

    private static IamException iam(int status, String code) {
        return (IamException) IamException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("msg of " + code).build()).build();
    }

    @Test
    void anAuthErrorWithANullErrorCodeIsTheSigningKeyRefusedByItsStatus() {
        // what the SDK gives for moto's (and some of AWS's) 403 answers: no error code at all
        StsException noCode = (StsException) StsException.builder().statusCode(403).build();
        AwsFailures.Failure f = AwsFailures.of(noCode);
        assertThat(f.kind()).isEqualTo(AwsFailures.Kind.CREDENTIAL_REFUSED);
        assertThat(f.detail()).startsWith("HTTP 403");
        assertThat(AwsFailures.ofLogin(f).outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
        ChangeResult change = AwsFailures.ofChange(f, "UpdateLoginProfile");
        assertThat(change.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(change.loginRefused()).as("no candidate was offered: a fresh one would repeat the refused login").isTrue();
        assertThat(AwsFailures.of(iam(401, null)).kind()).isEqualTo(AwsFailures.Kind.CREDENTIAL_REFUSED);
    }

    @Test
    void aRefusalOfTheRequestIsRejectedAndAServerErrorUnknown() {
        assertThat(AwsFailures.ofChange(AwsFailures.of(iam(400, "PasswordPolicyViolation")), "x").outcome())
                .isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(AwsFailures.ofChange(AwsFailures.of(iam(409, "LimitExceeded")), "x").outcome())
                .isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(AwsFailures.of(iam(404, "NoSuchEntity")).kind()).isEqualTo(AwsFailures.Kind.NOT_FOUND);
        assertThat(AwsFailures.ofChange(AwsFailures.of(iam(500, "ServiceFailure")), "x").outcome())
                .as("a 500 may have been applied").isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(AwsFailures.of(iam(409, "LimitExceeded")).detail()).contains("409 LimitExceeded");
    }

    @Test
    void aTimeoutAfterTheRequestWasSentIsUnknownButARefusedConnectionSentNothing() {
        SdkClientException readTimeout = SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new SocketTimeoutException("Read timed out")).build();
        assertThat(AwsFailures.ofChange(AwsFailures.of(readTimeout), "UpdateLoginProfile").outcome())
                .isEqualTo(ChangeResult.Outcome.UNKNOWN);
        ApiCallAttemptTimeoutException attempt = ApiCallAttemptTimeoutException.create(3000);
        assertThat(AwsFailures.ofChange(AwsFailures.of(attempt), "CreateAccessKey").outcome())
                .isEqualTo(ChangeResult.Outcome.UNKNOWN);
        SdkClientException cut = SdkClientException.builder().cause(new UncheckedIOException(new IOException("Connection reset"))).build();
        assertThat(AwsFailures.ofChange(AwsFailures.of(cut), "x").outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);

        SdkClientException refused = SdkClientException.builder().cause(new ConnectException("Connection refused")).build();
        assertThat(AwsFailures.of(refused).kind()).isEqualTo(AwsFailures.Kind.NOT_SENT);
        assertThat(AwsFailures.ofChange(AwsFailures.of(refused), "x").outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        SdkClientException connectTimeout = SdkClientException.builder().cause(new SocketTimeoutException("Connect timed out")).build();
        assertThat(AwsFailures.of(connectTimeout).kind()).isEqualTo(AwsFailures.Kind.NOT_SENT);
        SdkClientException apacheConnectTimeout = SdkClientException.builder()
                .cause(new org.apache.http.conn.ConnectTimeoutException("Connect to 10.0.0.1:443 timed out")).build();
        assertThat(AwsFailures.of(apacheConnectTimeout).kind()).isEqualTo(AwsFailures.Kind.NOT_SENT);
        SdkClientException noResponse = SdkClientException.builder()
                .cause(new org.apache.http.NoHttpResponseException("The target server failed to respond")).build();
        assertThat(AwsFailures.ofChange(AwsFailures.of(noResponse), "CreateAccessKey").outcome())
                .as("the request went out and no answer came").isEqualTo(ChangeResult.Outcome.UNKNOWN);
    }

    @Test
    void aLoginCheckThatGetsNoAnswerSaysNothingAboutTheKey() {
        SdkClientException readTimeout = SdkClientException.builder().cause(new SocketTimeoutException("Read timed out")).build();
        assertThat(AwsFailures.ofLogin(AwsFailures.of(readTimeout)).outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
        assertThat(AwsFailures.ofLogin(AwsFailures.of(iam(500, null))).outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
    }

    @Test
    void aFailureBeforeTheChangeIsRejectedEvenWithoutAnAnswer() {
        SdkClientException readTimeout = SdkClientException.builder().cause(new SocketTimeoutException("Read timed out")).build();
        assertThat(AwsFailures.beforeChange(AwsFailures.of(readTimeout), "GetLoginProfile").outcome())
                .isEqualTo(ChangeResult.Outcome.REJECTED);
    }
}
