package io.rotor.camel.route;

import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.domain.Target;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The connector contract against a route connector: the shipped example route
 * ({@code docs/examples/routes/http-app-password.camel.yaml}, camel-http) in front of {@link PasswordApp}, a plain
 * HTTP application with a login and a change-password endpoint. Every fault of the contract (refused, silent,
 * flooding, cut or hung after the change) comes from a FaultProxy between the route and the application.
 */
class RouteConnectorContractIT extends ConnectorContract {
    private static final String ADMIN_SECRET = "admin-Secret-4711!";
    private final PasswordApp app;
    private final CamelContext camel;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RouteConnectorContractIT() throws Exception {
        app = new PasswordApp();
        app.passwords.put("rotor_it_route_admin", ADMIN_SECRET);
        app.admins.add("rotor_it_route_admin");
        camel = ExampleRoutes.start();
    }

    @AfterAll
    void stop() {
        camel.stop();
        app.close();
    }

    @Override
    protected ConnectorFactory factory() {
        return ExampleRoutes.factory(camel);
    }

    @Override
    protected String host() {
        return "127.0.0.1";
    }

    @Override
    protected int port() {
        return app.port();
    }

    @Override
    protected Target target(String host, int port) {
        return ExampleRoutes.target("rotor_it_route_app", host, port, null, TIMEOUT_SECONDS);
    }

    @Override
    protected String newAccount(String tag, String password) {
        String user = "rotor_it_route_" + tag + "_" + runTag();
        app.passwords.put(user, password);
        return user;
    }

    @Override
    protected void removeAccounts() {
        app.passwords.keySet().removeIf(u -> !u.equals("rotor_it_route_admin"));
    }

    @Override
    protected Login admin() {
        return new Login("rotor_it_route_admin", s(ADMIN_SECRET));
    }

    /** A real login over HTTP, outside the connector and its routes. */
    @Override
    protected boolean logsIn(String username, String password) throws Exception {
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                java.util.Map.of("username", username, "password", password));
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/login"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return answer.statusCode() == 200;
    }

    @Override
    protected String passwordState(String username) {
        return app.passwords.get(username);
    }

    /** The application refuses passwords shorter than 12 characters. */
    @Override
    protected String rejectedCandidate() {
        return "Sh0rt-" + runTag();
    }

    /**
     * End to end through the rotation protocol: the connection is cut after the application applied the change
     * (UNKNOWN; recovery's probes through the broken wire fail too, so PENDING is kept), then recovery, once the
     * application is reachable again, finds PENDING working and commits it.
     */
    @org.junit.jupiter.api.Test
    void anUnknownOutcomeIsSettledByRecovery() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("rotor_it_route_");
        io.rotor.vault.Vault vault = io.rotor.vault.Vault.open(null, null, null, dir,
                io.rotor.vault.MasterKey.load(null, dir.resolve("master.key")), 4);
        io.rotor.connector.ConnectorRegistry registry = new io.rotor.connector.ConnectorRegistry();
        try {
            registry.attach(new io.rotor.connector.ConnectorContext(null).with(RouteCalls.class, new CamelRouteCalls(camel)));
            String old = candidate();
            String user = newAccount("rec", old);
            io.rotor.workflow.RotationService rotation = new io.rotor.workflow.RotationService(vault, registry,
                    new io.rotor.domain.PasswordGenerator(), new io.rotor.workflow.RotorMetrics(), Duration.ofMinutes(5), 3);
            io.rotor.workflow.OperationResult rotated;
            try (io.rotor.connector.FaultProxy cut = new io.rotor.connector.FaultProxy("127.0.0.1", app.port(),
                    io.rotor.connector.FaultProxy.Mode.CUT_AFTER_CHANGE, () -> !old.equals(app.passwords.get(user)))) {
                vault.targets().upsertTarget(ExampleRoutes.target("rotor_it_route_rec", "127.0.0.1", cut.port(), null,
                        TIMEOUT_SECONDS));
                vault.accounts().upsertAccount("rotor_it_route_rec", "rotor_it_route_rec", user,
                        io.rotor.domain.CredentialType.PASSWORD, null);
                rotation.set("rotor_it_route_rec", s(old), true, "test");
                rotated = rotation.rotate("rotor_it_route_rec", "test");
                org.assertj.core.api.Assertions.assertThat(cut.faultHit()).isTrue();
            }
            // the change was UNKNOWN and the probes after it could not reach the application: PENDING is kept
            org.assertj.core.api.Assertions.assertThat(rotated.outcome()).as(rotated.detail()).isIn(
                    io.rotor.workflow.OperationResult.Outcome.UNKNOWN, io.rotor.workflow.OperationResult.Outcome.UNREACHABLE);
            org.assertj.core.api.Assertions.assertThat(vault.credentials().read("rotor_it_route_rec",
                    io.rotor.domain.Slot.PENDING)).isPresent();
            org.assertj.core.api.Assertions.assertThat(logsIn(user, old)).as("the application did apply the change").isFalse();

            vault.targets().upsertTarget(ExampleRoutes.target("rotor_it_route_rec", "127.0.0.1", app.port(), null,
                    TIMEOUT_SECONDS));
            io.rotor.workflow.OperationResult recovered = rotation.recover("rotor_it_route_rec", "recovery");

            org.assertj.core.api.Assertions.assertThat(recovered.outcome()).as(recovered.detail())
                    .isEqualTo(io.rotor.workflow.OperationResult.Outcome.RECOVERED_FORWARD);
            org.assertj.core.api.Assertions.assertThat(recovered.status()).isEqualTo(io.rotor.domain.AccountStatus.IN_SYNC);
            try (io.rotor.vault.StoredCredential current = vault.credentials()
                    .read("rotor_it_route_rec", io.rotor.domain.Slot.CURRENT).orElseThrow()) {
                org.assertj.core.api.Assertions.assertThat(current.secret().reveal()).isEqualTo(app.passwords.get(user));
                org.assertj.core.api.Assertions.assertThat(logsIn(user, current.secret().reveal())).isTrue();
            }
        } finally {
            registry.close();
            vault.close();
            io.rotor.it.TestDirs.delete(dir);
        }
    }
}
