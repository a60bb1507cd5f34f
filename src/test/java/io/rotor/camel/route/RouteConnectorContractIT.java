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
}
