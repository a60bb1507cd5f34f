package io.rotor.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rotor mass-onboard} and {@code rotor mass-password-reset} against a stub of the REST API: the onboarding
 * flags, the per-account plan of a dry run (onboarded, refused and why), the accounts a run did not do.
 */
class MassOnboardCommandTest {
    private HttpServer server;
    private final List<String> requests = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static final String JOB = """
            {"jobId": "j-1", "status": "SUCCEEDED", "reason": null,
             "progress": {"total": 3, "done": 3, "succeeded": 3, "failed": 0, "percent": 100},
             "steps": [{"step": 3, "name": "vault-discovery", "status": "SUCCEEDED", "succeeded": 3, "failed": 0,
                        "reason": null}]}""";

    private static final String RESULTS = """
            {"jobId": "j-1", "offset": 0, "limit": 1000, "total": 3, "results": [
             {"accountId": "pg.app_reader", "targetId": "pg", "step": "vault-discovery", "outcome": "PLANNED",
              "success": true, "reason": "would add login 'app_reader' to the vault as pg.app_reader"},
             {"accountId": "pg.app_super", "targetId": "pg", "step": "vault-discovery", "outcome": "REFUSED",
              "success": true, "reason": "login 'app_super' is not onboarded: privileged on the target: SUPERUSER"},
             {"accountId": null, "targetId": "pg", "step": "vault-discovery", "outcome": "PLANNED",
              "success": true, "reason": "would list 2 login account(s) on 'pg'"}]}""";

    private String serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String uri = exchange.getRequestURI().toString();
            synchronized (requests) {
                requests.add(exchange.getRequestMethod() + " " + uri + " " + body);
            }
            String answer;
            int status = 200;
            if (exchange.getRequestMethod().equals("POST")) {
                status = 202;
                answer = "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}";
            } else if (uri.startsWith("/api/v1/jobs/j-1/results")) {
                answer = uri.contains("offset=0") ? RESULTS : "{\"jobId\": \"j-1\", \"results\": []}";
            } else {
                answer = JOB;
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private int onboard(String base, String... more) {
        CommandLine commandLine = new CommandLine(new MassOnboardCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> args = new ArrayList<>(List.of("--target", "pg", "--vault-user-target", "staff", "--vault-target",
                "vault", "--vault-association-attribute", "owners", "--vault-group-attribute", "groups",
                "--vault-link-attribute", "backing_account", "--vault-template-id", "tpl", "--base-url", base,
                "--username", "admin", "--password", "service-pw-123"));
        args.addAll(List.of(more));
        return commandLine.execute(args.toArray(String[]::new));
    }

    @Test
    void aDryRunSendsTheFilterAndPrintsEveryAccountItWouldOnboardAndEveryOneRefusedWithTheReason() throws Exception {
        String base = serve();

        int exit = onboard(base, "--dry-run", "--discovery-filter", "app\\_%");

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(requests.get(0)).startsWith("POST /api/v1/workflows/mass-onboard ")
                .contains("\"discoveryFilter\":\"app\\\\_%\"").contains("\"dryRun\":true");
        assertThat(out.toString()).contains("Plan, per account:")
                .containsPattern("pg\\.app_reader +pg +vault-discovery +PLANNED")
                .contains("pg.app_super").contains("REFUSED").contains("privileged on the target: SUPERUSER");
    }

    @Test
    void aRunPrintsOnlyTheAccountsItDidNotDoAsAsked() throws Exception {
        String base = serve();

        int exit = onboard(base);

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(requests.get(0)).doesNotContain("discoveryFilter");
        assertThat(out.toString()).contains("Accounts not done as asked:").contains("pg.app_super")
                .doesNotContain("pg.app_reader");
    }

    @Test
    void massPasswordResetSendsIncludeAdminAccountsOnlyWhenAsked() throws Exception {
        String base = serve();
        CommandLine commandLine = new CommandLine(new MassPasswordResetCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        int exit = commandLine.execute("--target", "pg", "--vault-target", "vault", "--vault-link-attribute",
                "backing_account", "--base-url", base, "--username", "ops", "--password", "service-pw-123",
                "--include-admin-accounts");

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(requests.get(0)).startsWith("POST /api/v1/workflows/mass-password-reset ")
                .contains("\"includeAdminAccounts\":true");
    }
}
