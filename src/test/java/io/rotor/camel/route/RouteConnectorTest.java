package io.rotor.camel.route;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.config.InventoryException;
import io.rotor.config.InventoryLoader;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The outcome rules a route connector applies to its routes' answers, and the refusal of bad route settings. */
class RouteConnectorTest {
    private static RouteReply answered(String outcome, Boolean sent) {
        return new RouteReply(outcome, "why", sent, false, null, false, List.of());
    }

    private static RouteReply failed(Boolean sent) {
        return new RouteReply(null, null, sent, false, "IOException: connection reset", false, List.of());
    }

    @Test
    void anAnswerIsTakenAsTheRouteGaveIt() {
        assertThat(RouteConnector.changeResult(answered("CHANGED", true)).outcome()).isEqualTo(ChangeResult.Outcome.CHANGED);
        assertThat(RouteConnector.changeResult(answered("rejected", true)).outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(RouteConnector.changeResult(answered("UNKNOWN", false)).outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
        ChangeResult refused = RouteConnector.changeResult(new RouteReply("REJECTED", "401", false, true, null, false, List.of()));
        assertThat(refused.loginRefused()).isTrue();
    }

    @Test
    void anExceptionAfterTheRequestWasSentIsUnknownBeforeItRejected() {
        assertThat(RouteConnector.changeResult(failed(true)).outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(RouteConnector.changeResult(failed(false)).outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
    }

    @Test
    void aRouteThatNeverSaidWhatItSentIsUnknownOnAnyFailure() {
        assertThat(RouteConnector.changeResult(failed(null)).outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(RouteConnector.changeResult(answered(null, null)).outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(RouteConnector.changeResult(answered("DONE", false)).outcome())
                .as("an outcome outside the contract is never taken as success").isEqualTo(ChangeResult.Outcome.UNKNOWN);
    }

    @Test
    void aRouteStillRunningPastItsBoundIsUnknownEvenIfItHadNotSentYet() {
        RouteReply running = new RouteReply(null, null, false, false, "the route did not end within 14 s", true, List.of());
        assertThat(RouteConnector.changeResult(running).outcome()).isEqualTo(ChangeResult.Outcome.UNKNOWN);
        assertThat(RouteConnector.verifyResult(running).outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
    }

    @Test
    void verifyAnswersAreValidRejectedOrUnreachable() {
        assertThat(RouteConnector.verifyResult(answered("VALID", null)).outcome()).isEqualTo(VerifyResult.Outcome.VALID);
        assertThat(RouteConnector.verifyResult(answered("REJECTED", null)).outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertThat(RouteConnector.verifyResult(answered("yes", null)).outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
        assertThat(RouteConnector.verifyResult(failed(null)).outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
    }

    @Test
    void aCallNeverShowsItsSecrets() {
        Secret secret = Secret.fromUtf8("Sup3r-secret-value".getBytes(StandardCharsets.UTF_8));
        RouteCall call = new RouteCall(RouteContract.Operation.CHANGE, "t", "h", 1, "a", "u", null, null,
                Map.of(RouteContract.NEW_SECRET, secret), java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2));
        assertThat(call.toString()).doesNotContain("Sup3r").contains(RouteContract.NEW_SECRET);
        assertThat(secret.toString()).isEqualTo("****");
        assertThat(new SecretBody("Sup3r-secret-value".getBytes(StandardCharsets.UTF_8), "application/json").toString())
                .isEqualTo("****");
    }

    // ---------------------------------------------------------------- bad input

    private static Target route(Map<String, String> settings) {
        return new Target("app", "route", "h", 80, null, TlsMode.DISABLE, null, null, settings);
    }

    @Test
    void settingsWithoutAChangeEndpointAreRefusedNamingTheField() {
        assertThatThrownBy(() -> RouteSettings.of(route(Map.of("verify", "direct:v"))))
                .hasMessageContaining("setting 'change' is required");
        assertThatThrownBy(() -> RouteSettings.of(route(Map.of("change", "direct:c", "verify", "direct v"))))
                .hasMessageContaining("setting 'verify'").hasMessageContaining("not a Camel endpoint URI");
        assertThatThrownBy(() -> RouteSettings.of(route(Map.of("change", "direct:c", "verify", "direct:v",
                "timeoutSeconds", "10", "callTimeoutSeconds", "5")))).hasMessageContaining("setting 'callTimeoutSeconds'");
        RouteSettings ok = RouteSettings.of(route(Map.of("change", "direct:c", "verify", "direct:v")));
        assertThat(ok.callTimeout()).isEqualTo(java.time.Duration.ofSeconds(35));
    }

    private static String targetProblem(String json) throws Exception {
        try {
            InventoryLoader.checkTarget(new ObjectMapper().readTree(json), Set.of(), Map.of());
        } catch (InventoryException e) {
            return String.join("\n", e.problems());
        }
        return "";
    }

    @Test
    void aTargetWithoutChangeEndpointIsRefusedAtCreationNamingTheField() throws Exception {
        assertThat(targetProblem("{\"id\":\"app\",\"type\":\"route\",\"host\":\"h\",\"settings\":{\"verify\":\"direct:v\"}}"))
                .contains("'change'").contains("required");
        assertThat(targetProblem("{\"id\":\"app\",\"type\":\"route\",\"host\":\"h\"}"))
                .as("no settings at all").contains("'change'").contains("required");
    }

    @Test
    void aMalformedEndpointUriIsRefusedAtCreationNamingTheField() throws Exception {
        String problem = targetProblem("{\"id\":\"app\",\"type\":\"route\",\"host\":\"h\",\"settings\":"
                + "{\"change\":\"direct:c\",\"verify\":\"not an endpoint\"}}");
        assertThat(problem).contains("'verify'").contains("Camel endpoint URI");
        assertThat(targetProblem("{\"id\":\"app\",\"type\":\"route\",\"host\":\"h\",\"settings\":"
                + "{\"change\":\"direct:c\",\"verify\":\"direct:v\",\"chnage\":\"direct:x\"}}")).contains("chnage");
        assertThat(targetProblem("{\"id\":\"app\",\"type\":\"route\",\"host\":\"h\",\"settings\":"
                + "{\"change\":\"direct:c\",\"verify\":\"direct:v\"}}")).isEmpty();
    }
}
