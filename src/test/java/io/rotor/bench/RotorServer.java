package io.rotor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@code java -jar target/rotor.jar serve} process for one benchmark run: its own data directory, config and
 * inventory, the admin token and master key in its environment (never on its command line), GC logging for the
 * peak heap, and the REST calls the benchmark needs.
 */
public final class RotorServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int port;
    private final String token = BenchEnv.randomKey();
    /** Kept so the benchmark can open the vault next to the server (H2 AUTO_SERVER) to link vault accounts. */
    private final String masterKey = BenchEnv.randomKey();
    private long processStartNanos;
    private double jobStartUptime = Double.NaN;
    private double jobEndUptime = Double.NaN;
    private double reportSeconds = Double.NaN;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private long readyNanos;

    public RotorServer(Path dir) throws IOException {
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    public Path dir() {
        return dir;
    }

    public Path gcLog() {
        return dir.resolve("gc.log");
    }

    /**
     * Starts the server with {@code properties} (rotor.* and camel.* settings) and the inventory text, and waits
     * until it answers health. {@code env} adds environment variables (initial secrets named by the inventory).
     */
    public void start(Path jar, Map<String, String> properties, String inventory, Map<String, String> env,
                      String heap, boolean jfr, Duration readyTimeout) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        StringBuilder props = new StringBuilder();
        props.append("camel.main.name = rotor-bench\n")
                .append("camel.server.enabled = true\ncamel.server.host = 127.0.0.1\n")
                .append("camel.server.port = ").append(port).append('\n')
                .append("rotor.data-dir = ").append(dir.resolve("data")).append('\n')
                .append("rotor.inventory = ").append(dir.resolve("inventory.yaml")).append('\n');
        properties.forEach((k, v) -> props.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(dir.resolve("application.properties"), props);
        Files.writeString(dir.resolve("inventory.yaml"), inventory);
        List<String> cmd = new ArrayList<>(List.of("java"));
        if (heap != null) {
            cmd.add("-Xmx" + heap);
        }
        cmd.add("-Xlog:gc:file=" + gcLog());
        if (jfr) {
            cmd.add("-XX:StartFlightRecording=filename=" + dir.resolve("rotor.jfr") + ",settings=profile");
        }
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--config", dir.resolve("application.properties").toString(),
                "--port", Integer.toString(port), "--data-dir", dir.resolve("data").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rotor.log").toFile());
        pb.environment().put("ROTOR_ADMIN_TOKEN", token);
        pb.environment().put("ROTOR_MASTER_KEY", masterKey);
        pb.environment().put("ROTOR_HOME", dir.toString());
        pb.environment().put("ROTOR_LOG_LEVEL", "WARN");
        pb.environment().putAll(env);
        long start = System.nanoTime();
        process = pb.start();
        processStartNanos = start;
        long deadline = start + readyTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rotor serve exited with " + process.exitValue() + "; see " + dir.resolve("rotor.log"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/observe/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && authenticatedUp()) {
                    readyNanos = System.nanoTime() - start;
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("rotor serve not ready within " + readyTimeout + "; see " + dir.resolve("rotor.log"));
    }

    private boolean authenticatedUp() throws IOException, InterruptedException {
        return get("/api/v1/targets").statusCode() == 200;
    }

    /** Seconds from process start to a healthy, authenticated API (includes loading the inventory). */
    public double readySeconds() {
        return readyNanos / 1e9;
    }

    /**
     * A vault account on target {@code vault} per backing account ({@code {backing id, username}}), linked through
     * {@code backing_account}: the mass reset resets account pairs only, an unlinked account is SKIPPED. Written next
     * to the running server through H2's AUTO_SERVER, before the benchmark's clock starts.
     */
    public void linkVaultAccounts(List<String[]> pairs) {
        long t = System.nanoTime();
        Path data = dir.resolve("data");
        try (io.rotor.vault.Vault vault = io.rotor.vault.Vault.open(null, null, null, data,
                io.rotor.vault.MasterKey.load(masterKey, data.resolve("master.key")), 2)) {
            for (String[] pair : pairs) {
                vault.accounts().upsertAccount("v-" + pair[0], "vault", pair[1], io.rotor.domain.CredentialType.PASSWORD, null);
                vault.attributes().setAttribute("bench", "v-" + pair[0], "backing_account", List.of(pair[0]));
            }
        }
        System.out.printf("  linked %,d vault accounts in %.1f s%n", pairs.size(), (System.nanoTime() - t) / 1e9);
    }

    /** Results of a mass reset's update step with {@code outcome} in the job's SQLite report at {@code report}. */
    public static int countUpdateOutcome(Path report, String outcome) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + report);
             java.sql.PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM results WHERE step = ? AND outcome = ?")) {
            s.setString(1, "generate-and-update-backing-accounts");
            s.setString(2, outcome);
            try (java.sql.ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    public String masterKey() {
        return masterKey;
    }

    /** Seconds since the server process started (close to the JVM uptime its GC log is stamped with). */
    public double uptime() {
        return (System.nanoTime() - processStartNanos) / 1e9;
    }

    /** The last {@link #runJob}: uptime at its POST and when it was seen ended; seconds from there to its report. */
    public double jobStartUptime() {
        return jobStartUptime;
    }

    public double jobEndUptime() {
        return jobEndUptime;
    }

    public double reportSeconds() {
        return reportSeconds;
    }

    public long pid() {
        return process.pid();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body of a GET as bytes (a report file); {@code require200} fails on any other status. */
    public byte[] get(String path, boolean require200) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (require200 && r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode());
        }
        return r.body();
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** Submits a job and follows it until it ends; returns the ended job. */
    public JsonNode runJob(String path, String body, Duration timeout) throws IOException, InterruptedException {
        jobStartUptime = uptime();
        HttpResponse<String> r = post(path, body);
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        String id = json(r).get("jobId").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = json(get("/api/v1/jobs/" + id));
            String status = job.path("status").asText();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                jobEndUptime = uptime();
                // the SQLite report is written after the job has ended: end to end includes it
                long ended = System.nanoTime();
                while (job.path("report").asBoolean() && System.nanoTime() < deadline) {
                    int code = get("/api/v1/jobs/" + id + "/report").statusCode();
                    if (code == 200) {
                        break;
                    }
                    if (code == 404) {
                        throw new IllegalStateException("GET /api/v1/jobs/" + id + "/report answered 404 for an ended job");
                    }
                    Thread.sleep(200);
                }
                reportSeconds = (System.nanoTime() - ended) / 1e9;
                return job;
            }
            // every API request is authenticated and audited (a vault commit), and its CPU counts as Rotor's: poll like a
            // client would, every 500 ms, not in a hot loop
            Thread.sleep(500);
        }
        throw new IllegalStateException("job " + id + " did not end within " + timeout);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
