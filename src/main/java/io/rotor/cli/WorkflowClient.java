package io.rotor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * What the seed-compatible workflow commands share: the service account's password (ROTOR_PASSWORD, stdin, or the
 * seed's {@code --password}), submitting the workflow to the server's REST API, following its job (a progress bar
 * on stderr when it is a terminal, plain lines otherwise), the summary table and the exit code.
 */
final class WorkflowClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WorkflowClient() {
    }

    static int run(String baseUrl, String username, String password, String workflow, ObjectNode body,
                   PrintWriter out, PrintWriter err) throws Exception {
        String secret = password != null ? password : System.getenv("ROTOR_PASSWORD");
        if (secret == null) {
            secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        if (secret == null || secret.isEmpty()) {
            err.println("rotor: no password: set ROTOR_PASSWORD, pipe it on stdin, or use --password");
            return ExitCodes.USAGE;
        }
        String base = baseUrl.replaceAll("/+$", "");
        String authorization = "Basic " + Base64.getEncoder().encodeToString((username + ":" + secret).getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workflows/" + workflow))
                .header("Authorization", authorization).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        if (accepted.statusCode() != 202) {
            err.println("rotor: the server refused the request (" + accepted.statusCode() + "): " + message(accepted.body()));
            return accepted.statusCode() == 400 || accepted.statusCode() == 404 ? ExitCodes.USAGE : ExitCodes.FAILURE;
        }
        String jobId = JSON.readTree(accepted.body()).get("jobId").asText();
        err.println("job " + jobId + " queued");
        boolean tty = System.console() != null;
        JsonNode job;
        long lastLine = 0;
        while (true) {
            HttpResponse<String> polled = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + jobId))
                    .header("Authorization", authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (polled.statusCode() != 200) {
                err.println("rotor: cannot follow job " + jobId + " (" + polled.statusCode() + "): " + message(polled.body()));
                return ExitCodes.FAILURE;
            }
            job = JSON.readTree(polled.body());
            String status = job.get("status").asText();
            JsonNode p = job.get("progress");
            if (tty) {
                int percent = p.get("percent").asInt();
                int filled = percent * 30 / 100;
                err.print("\r[" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + percent + "% "
                        + p.get("done").asLong() + "/" + p.get("total").asLong() + " " + status + "   ");
                err.flush();
            } else if (System.nanoTime() - lastLine > 5_000_000_000L) {
                err.println(status + " " + p.get("done").asLong() + "/" + p.get("total").asLong() + " done, "
                        + p.get("failed").asLong() + " failed");
                lastLine = System.nanoTime();
            }
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                break;
            }
            Thread.sleep(500);
        }
        if (tty) {
            err.println();
        }
        List<String[]> rows = new ArrayList<>();
        for (JsonNode step : job.path("steps")) {
            rows.add(new String[]{step.get("name").asText(), step.get("status").asText(), step.get("succeeded").asText(),
                    step.get("failed").asText(), step.path("reason").isNull() ? "" : step.path("reason").asText("")});
        }
        JsonNode p = job.get("progress");
        rows.add(new String[]{"job " + jobId, job.get("status").asText(), p.get("succeeded").asText(), p.get("failed").asText(),
                job.path("reason").isNull() ? "" : job.path("reason").asText("")});
        out.print(Tables.render(new String[]{"STEP", "STATUS", "SUCCEEDED", "FAILED", "REASON"}, rows));
        printAccounts(http, base, authorization, jobId, body.path("dryRun").asBoolean(false), out);
        out.flush();
        return switch (job.get("status").asText()) {
            case "SUCCEEDED" -> ExitCodes.SUCCESS;
            case "PARTIAL" -> ExitCodes.PARTIAL;
            default -> ExitCodes.FAILURE;
        };
    }

    /** At most this many per-account rows are printed; the rest stay in GET /api/v1/jobs/{id}/results. */
    static final int MAX_ACCOUNT_ROWS = 10_000;

    /**
     * The per-account results a person must see: for a dry run, every one (what would be done, what is refused or
     * skipped, and why); for a run, those not done as asked (refused, skipped, failed). Read page by page.
     */
    private static void printAccounts(HttpClient http, String base, String authorization, String jobId, boolean dryRun,
                                      PrintWriter out) throws Exception {
        List<String[]> rows = new ArrayList<>();
        long offset = 0;
        long total = 0;
        long shown = 0;
        while (true) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + jobId
                    + "/results?offset=" + offset + "&limit=1000")).header("Authorization", authorization).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (page.statusCode() != 200) {
                return;
            }
            JsonNode results = JSON.readTree(page.body()).path("results");
            if (!results.isArray() || results.isEmpty()) {
                break;
            }
            for (JsonNode r : results) {
                total++;
                String outcome = r.path("outcome").asText("");
                boolean notDone = !r.path("success").asBoolean(true) || outcome.equals("REFUSED") || outcome.equals("SKIPPED");
                if ((dryRun || notDone) && shown < MAX_ACCOUNT_ROWS) {
                    shown++;
                    rows.add(new String[]{text(r, "accountId"), text(r, "targetId"), text(r, "step"), outcome, text(r, "reason")});
                }
            }
            offset += results.size();
        }
        if (rows.isEmpty()) {
            return;
        }
        out.println();
        out.println(dryRun ? "Plan, per account:" : "Accounts not done as asked:");
        out.print(Tables.render(new String[]{"ACCOUNT", "TARGET", "STEP", "OUTCOME", "REASON"}, rows));
        if (shown == MAX_ACCOUNT_ROWS) {
            out.println("(first " + MAX_ACCOUNT_ROWS + " rows of " + total + " results; all are at GET /api/v1/jobs/"
                    + jobId + "/results)");
        }
    }

    private static String text(JsonNode row, String field) {
        JsonNode value = row.path(field);
        return value.isMissingNode() || value.isNull() ? "" : value.asText().replaceAll("[\\x00-\\x1f\\x7f]", "?");
    }

    private static String message(String body) {
        try {
            return JSON.readTree(body).path("message").asText(body);
        } catch (Exception e) {
            return body.length() > 200 ? body.substring(0, 200) : body;
        }
    }
}
