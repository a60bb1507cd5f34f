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

/** {@code rotor mass-password-reset} against a stub of the REST API: the request it sends, the table, the exit codes. */
class MassPasswordResetCommandTest {
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

    private String serve(int submitStatus, String submitBody, String finalStatus) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (requests) {
                requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                        + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
            }
            String answer;
            int status;
            if (exchange.getRequestMethod().equals("POST")) {
                status = submitStatus;
                answer = submitBody;
            } else {
                status = 200;
                answer = """
                        {"jobId": "j-1", "status": "%s", "reason": %s,
                         "progress": {"total": 4, "done": 4, "succeeded": %d, "failed": %d, "percent": 100},
                         "steps": [{"step": 1, "name": "generate-and-update-backing-accounts", "status": "%s",
                                    "succeeded": 1, "failed": %d, "reason": null}]}"""
                        .formatted(finalStatus, finalStatus.equals("SUCCEEDED") ? "null" : "\"1 of 4 failed\"",
                                finalStatus.equals("SUCCEEDED") ? 4 : 3, finalStatus.equals("SUCCEEDED") ? 0 : 1,
                                finalStatus, finalStatus.equals("SUCCEEDED") ? 0 : 1);
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

    private int run(String... args) {
        CommandLine commandLine = new CommandLine(new MassPasswordResetCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setParameterExceptionHandler((e, badArgs) -> ExitCodes.USAGE);
        return commandLine.execute(args);
    }

    private String[] seedFlags(String baseUrl, String... more) {
        List<String> args = new ArrayList<>(List.of("--target", "pg", "my", "--vault-target", "vault",
                "--vault-link-attribute", "backing_account", "--base-url", baseUrl, "--username", "ops",
                "--password", "service-pw-123"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void aSucceededJobExitsZeroWithASummaryTable() throws Exception {
        String base = serve(202, "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}", "SUCCEEDED");

        int exit = run(seedFlags(base, "--batch-size", "64", "--report"));

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(requests.get(0)).startsWith("POST /api/v1/workflows/mass-password-reset Basic ")
                .contains("\"target\":[\"pg\",\"my\"]").contains("\"vaultTarget\":\"vault\"")
                .contains("\"vaultLinkAttribute\":\"backing_account\"").contains("\"batchSize\":64")
                .contains("\"report\":true");
        assertThat(requests.get(1)).startsWith("GET /api/v1/jobs/j-1 ");
        assertThat(out.toString()).contains("STEP").contains("job j-1").contains("SUCCEEDED");
        assertThat(out.toString() + err).doesNotContain("service-pw-123");
    }

    @Test
    void aPartialJobExitsTwo() throws Exception {
        String base = serve(202, "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}", "PARTIAL");

        assertThat(run(seedFlags(base))).isEqualTo(ExitCodes.PARTIAL);
        assertThat(out.toString()).contains("PARTIAL").contains("1 of 4 failed");
    }

    @Test
    void aFailedJobExitsOne() throws Exception {
        String base = serve(202, "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}", "FAILED");

        assertThat(run(seedFlags(base))).isEqualTo(ExitCodes.FAILURE);
    }

    @Test
    void usageErrorsExit64AndNothingIsSent() throws Exception {
        String base = serve(202, "{}", "SUCCEEDED");

        assertThat(run(seedFlags(base, "--batch-size", "31"))).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--batch-size must be at least 32 (got 31)");
        assertThat(run("--target", "pg", "--base-url", base)).isEqualTo(ExitCodes.USAGE);
        assertThat(requests).isEmpty();
    }

    @Test
    void aRequestTheServerRefusesAsInvalidIsAUsageErrorWithItsMessage() throws Exception {
        String base = serve(404, "{\"code\": \"NOT_FOUND\", \"message\": \"field 'target[1]': unknown target id 'my'\"}", "SUCCEEDED");

        assertThat(run(seedFlags(base))).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("unknown target id 'my'");
    }

    @Test
    void singleUserOffboardSendsTheSeedsFlagsAndExitsWithTheJobsVerdict() throws Exception {
        String base = serve(202, "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}", "SUCCEEDED");
        CommandLine commandLine = new CommandLine(new SingleUserOffboardCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        int exit = commandLine.execute("--user-to-offboard", "alice", "--user-to-inherit", "bob", "--target", "pg", "my",
                "--vault-target", "vault", "--vault-association-attribute", "owners", "--vault-link-attribute",
                "backing_account", "--base-url", base, "--username", "ops", "--password", "service-pw-123");

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.SUCCESS);
        assertThat(requests.get(0)).startsWith("POST /api/v1/workflows/single-user-offboard Basic ")
                .contains("\"userToOffboard\":\"alice\"").contains("\"userToInherit\":\"bob\"")
                .contains("\"vaultAssociationAttribute\":\"owners\"");
    }

    @Test
    void massOnboardSendsExactlyTheSeedsFlagsAndExitsWithTheJobsVerdict() throws Exception {
        String base = serve(202, "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}", "PARTIAL");
        CommandLine commandLine = new CommandLine(new MassOnboardCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        int exit = commandLine.execute("--target", "pg", "my", "--vault-user-target", "staff", "--vault-target", "vault",
                "--vault-association-attribute", "owners", "--vault-group-attribute", "groups",
                "--vault-link-attribute", "backing_account", "--vault-template-id", "tpl", "--base-url", base,
                "--username", "ops", "--password", "service-pw-123", "--batch-size", "64", "--report");

        assertThat(exit).as(err.toString()).isEqualTo(ExitCodes.PARTIAL);
        assertThat(requests.get(0)).startsWith("POST /api/v1/workflows/mass-onboard Basic ")
                .contains("\"target\":[\"pg\",\"my\"]").contains("\"vaultUserTarget\":\"staff\"")
                .contains("\"vaultGroupAttribute\":\"groups\"").contains("\"vaultTemplateId\":\"tpl\"")
                .contains("\"batchSize\":64").contains("\"report\":true").doesNotContain("service-pw-123");
    }

    @Test
    void massOnboardRefusesBatchSize31AndSendsNothing() throws Exception {
        String base = serve(202, "{\"jobId\": \"j-1\", \"status\": \"QUEUED\"}", "SUCCEEDED");
        CommandLine commandLine = new CommandLine(new MassOnboardCommand());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));

        int exit = commandLine.execute("--target", "pg", "--vault-user-target", "staff", "--vault-target", "vault",
                "--vault-association-attribute", "owners", "--vault-group-attribute", "groups",
                "--vault-link-attribute", "backing_account", "--vault-template-id", "tpl", "--base-url", base,
                "--username", "ops", "--password", "service-pw-123", "--batch-size", "31");

        assertThat(exit).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("--batch-size must be at least 32 (got 31)");
        assertThat(requests).isEmpty();
    }
}
