package io.rotor.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code java -jar target/rotor.jar ...} as a child process, the way a user does, and captures what it
 * prints. Every captured line is also kept in {@link #transcript()} so that tests can check that no secret
 * ever reached the output. The Rotor home ({@code ROTOR_HOME}) is the working directory unless the environment
 * names another one: without it the child would use the checkout as its home.
 */
public final class RotorProcess {
    public record Result(int exitCode, String stdout, String stderr) {
        public String all() {
            return stdout + stderr;
        }
    }

    private final Path workDir;
    private final Map<String, String> environment;
    private final StringBuilder transcript = new StringBuilder();

    public RotorProcess(Path workDir, Map<String, String> environment) {
        this.workDir = workDir;
        Map<String, String> withHome = new java.util.HashMap<>(environment);
        withHome.putIfAbsent("ROTOR_HOME", workDir.toString());
        this.environment = Map.copyOf(withHome);
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("rotor.jar", "target/rotor.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("rotor.jar not found at " + jar + "; run `mvn package` first");
        }
        return jar;
    }

    public List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return command;
    }

    public Process start(List<String> jvmOptions, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(jvmOptions, args)).directory(workDir.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    /** Starts rotor with its output going to {@code log} (appended), for runs that a test kills. */
    public Process startLogged(List<String> jvmOptions, Path log, String... args) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(jvmOptions, args)).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(environment);
        return builder.start();
    }

    public Result run(byte[] stdin, String... args) throws Exception {
        return finish(start(List.of(), args), stdin, 180);
    }

    public Result run(String... args) throws Exception {
        return run(new byte[0], args);
    }

    public Result finish(Process process, byte[] stdin, int timeoutSeconds) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread outPump = pump(process.getInputStream(), out);
        Thread errPump = pump(process.getErrorStream(), err);
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException closedEarly) {
            // the process may exit before reading stdin; what it printed tells why
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("rotor did not finish within " + timeoutSeconds + " s");
        }
        outPump.join();
        errPump.join();
        Result result = new Result(process.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        synchronized (transcript) {
            transcript.append(result.stdout()).append(result.stderr());
        }
        return result;
    }

    private static Thread pump(InputStream from, ByteArrayOutputStream to) {
        Thread thread = new Thread(() -> {
            try {
                from.transferTo(to);
            } catch (IOException ignored) {
                // the process died; whatever arrived is kept
            }
        });
        thread.start();
        return thread;
    }

    /** Everything every process printed so far. */
    public String transcript() {
        synchronized (transcript) {
            return transcript.toString();
        }
    }
}
