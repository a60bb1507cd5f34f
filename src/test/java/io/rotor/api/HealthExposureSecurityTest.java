package io.rotor.api;

import io.rotor.domain.Role;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.health.CountingListener;
import io.rotor.health.HealthRoutes;
import io.rotor.health.TargetHealthCheck;
import io.rotor.health.TargetMonitor;
import io.rotor.health.VaultHealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on the public health endpoint: learn the targets' host names, ports and login names, or a driver's error
 * text, by asking for full detail (Camel's {@code exposureLevel=full}, {@code data=true}, {@code stackTrace=true},
 * headers); make Rotor connect to its targets once per request; take Rotor out of a load balancer through one
 * unreachable target. The details are for an authenticated admin or auditor only.
 */
class HealthExposureSecurityTest extends ApiSecurityTestSupport {
    private static final String HIDDEN_HOST = "rotor-it-hr-secret-host.invalid";
    private static final int HIDDEN_PORT = 47_111;
    private static final String HIDDEN_LOGIN = "rotor_it_hr_admin_login";
    private CountingListener listener;
    private TargetMonitor monitor;

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        super.configure(configuration);
        configuration.addRoutesBuilder(new HealthRoutes());
        configuration.addRoutesBuilder(new HealthApiRoutes());
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        listener = new CountingListener();
        Target hidden = new Target("hr-hidden", "postgresql", HIDDEN_HOST, HIDDEN_PORT, "rotor_it_hr_db", TlsMode.DISABLE,
                HIDDEN_LOGIN, null, Map.of("user", HIDDEN_LOGIN));
        Target local = new Target("hr-local", "postgresql", "127.0.0.1", listener.port(), null, TlsMode.VERIFY_FULL, null,
                null, Map.of());
        monitor = new TargetMonitor(() -> List.of(hidden, local), TargetMonitor.TCP, Duration.ofHours(1),
                Duration.ofSeconds(2), Clock.systemUTC());
        registry.bind("targetMonitor", monitor);
    }

    private void registerChecksAndProbeOnce() {
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        health.register(new VaultHealthCheck(vault.probe()));
        health.register(new TargetHealthCheck("hr-hidden", monitor));
        health.register(new TargetHealthCheck("hr-local", monitor));
        monitor.probeAll();
    }

    @Test
    void publicHealthNamesChecksAndStatesOnlyWhateverTheClientAsks() throws Exception {
        registerChecksAndProbeOnce();
        assertThat(monitor.status("hr-hidden").orElseThrow().state()).isEqualTo(TargetMonitor.State.DOWN);
        assertThat(listener.settledCount()).as("the one scheduled round").isEqualTo(1);

        List<String> paths = List.of("/observe/health", "/observe/health/ready", "/observe/health/live");
        List<String> queries = List.of("", "?exposureLevel=full", "?exposureLevel=full&stackTrace=true&data=true",
                "?detail=full", "?exposure-level=full&data=true", "?camel.health.exposure-level=full");
        int requests = 0;
        for (String path : paths) {
            for (String query : queries) {
                HttpResponse<String> answer = send("GET", path + query, null, "exposureLevel", "full",
                        "X-Exposure-Level", "full", "Accept", "application/json");
                requests++;
                assertThat(answer.statusCode()).as(path + query + ": one target down, Rotor still ready").isEqualTo(200);
                assertThat(answer.body()).as(path + query).contains("\"status\":\"UP\"")
                        .doesNotContain(HIDDEN_HOST).doesNotContain("secret-host").doesNotContain(String.valueOf(HIDDEN_PORT))
                        .doesNotContain(HIDDEN_LOGIN).doesNotContain("rotor_it_hr_db").doesNotContain("127.0.0.1")
                        .doesNotContain(String.valueOf(listener.port())).doesNotContain("UnknownHost")
                        .doesNotContain("message").doesNotContain("data").doesNotContain("error")
                        .doesNotContain("keyset");
                assertThat(answer.headers().firstValue("exposureLevel")).isEmpty();
            }
        }
        String all = send("GET", "/observe/health?exposureLevel=full", null).body();
        assertThat(all).contains("{\"name\":\"target-hr-hidden\",\"status\":\"DOWN\"}")
                .contains("{\"name\":\"target-hr-local\",\"status\":\"UP\"}").contains("{\"name\":\"vault\",\"status\":\"UP\"}");
        assertThat(requests).isEqualTo(18);
        assertThat(listener.settledCount()).as("19 health requests, no new connection to the target").isEqualTo(1);
    }

    @Test
    void theDetailsAreForAnAuthenticatedAdminOrAuditorOnly() throws Exception {
        registerChecksAndProbeOnce();
        assertThat(send("GET", "/api/v1/health/targets", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/health/targets?exposureLevel=full", null).body()).doesNotContain(HIDDEN_HOST);
        HttpResponse<String> operator = send("GET", "/api/v1/health/targets", null, "Authorization", "Bearer " + operatorToken);
        assertThat(operator.statusCode()).isEqualTo(403);
        assertThat(operator.body()).doesNotContain(HIDDEN_HOST);

        String auditorToken = Credentials.newToken();
        auth.createToken("rotor_it_hr_auditor", Role.AUDITOR, Credentials.tokenHash(auditorToken), "test");
        HttpResponse<String> auditor = send("GET", "/api/v1/health/targets", null, "Authorization", "Bearer " + auditorToken);
        assertThat(auditor.statusCode()).isEqualTo(200);
        assertThat(auditor.body()).contains("\"targetId\":\"hr-hidden\"").contains(HIDDEN_HOST + ":" + HIDDEN_PORT)
                .contains("\"state\":\"DOWN\"").contains("UnknownHost").contains(TargetHealthCheck.CLEAR_TEXT_WARNING)
                .contains("\"targetId\":\"hr-local\"").contains("\"state\":\"UP\"");
        assertThat(listener.settledCount()).as("the detailed view reads the cache too").isEqualTo(1);
    }
}
