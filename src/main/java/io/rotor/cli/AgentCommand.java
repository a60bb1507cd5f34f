package io.rotor.cli;

import io.rotor.cluster.agent.AgentHome;
import io.rotor.cluster.agent.AgentRunner;
import io.rotor.cluster.agent.PinnedTls;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code rotor agent}: runs next to the targets of a site the server cannot reach (docs/architecture.md, "Agents").
 * The first run enrolls with a one-time token (from {@code ROTOR_AGENT_ENROLL_TOKEN} or stdin, never the command
 * line) and the server's key pin; later runs reuse what the home holds.
 */
@Command(name = "agent", description = "Run an agent for the targets of one site: it polls the server over HTTPS,"
        + " runs each operation with the local connector and sends the outcome back. It listens on no port.")
public class AgentCommand implements Callable<Integer> {
    public static final String TOKEN_ENV = "ROTOR_AGENT_ENROLL_TOKEN";

    @Option(names = "--server", paramLabel = "URL", required = true, description = "The Rotor server, https://host[:port].")
    String server;

    @Option(names = "--site", paramLabel = "SITE", required = true, description = "The site whose targets this agent reaches.")
    String site;

    @Option(names = "--home", paramLabel = "DIR", description = "The agent's home: its configuration and credential only"
            + " (default: $ROTOR_AGENT_HOME, else ~/.rotor-agent).")
    Path home;

    @Option(names = "--server-pin", paramLabel = "PIN", description = "sha256/<base64> of the server's public key, as"
            + " rotor agent-token create prints it; needed to enroll.")
    String pin;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4", description = "Operations run at once (default 4).")
    int workers;

    @Option(names = "--poll-timeout-seconds", paramLabel = "S", defaultValue = "60", hidden = true)
    int pollTimeoutSeconds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!site.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException("--site: letters, digits, '.', '_' or '-', at most 128");
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("--workers: 1 to 64");
        }
        URI uri = AgentRunner.serverUri(server);
        AgentHome agentHome = new AgentHome(home != null ? home : defaultHome());
        if (!agentHome.enrolled()) {
            if (pin == null) {
                throw new IllegalArgumentException("--server-pin is needed to enroll (rotor agent-token create prints it)");
            }
            char[] token = enrollmentToken();
            try {
                String name = AgentRunner.enroll(agentHome, uri, site, PinnedTls.checkPin(pin), token);
                spec.commandLine().getErr().println("enrolled as agent '" + name + "' of site '" + site + "'");
            } finally {
                java.util.Arrays.fill(token, '\0');
            }
        } else {
            Properties config = agentHome.config();
            if (!site.equals(config.getProperty("site")) || !uri.toString().equals(config.getProperty("server"))
                    || (pin != null && !pin.equals(config.getProperty("server-pin")))) {
                throw new IllegalArgumentException("the home " + agentHome.dir() + " belongs to the agent of site '"
                        + config.getProperty("site") + "' on " + config.getProperty("server")
                        + " (with its pin); give that, or another --home");
            }
        }
        String fatal = AgentRunner.run(agentHome, workers, Duration.ofSeconds(pollTimeoutSeconds), spec.commandLine().getErr());
        if (fatal != null) {
            spec.commandLine().getErr().println("rotor: " + fatal);
            return ExitCodes.FAILURE;
        }
        return ExitCodes.SUCCESS;
    }

    private static Path defaultHome() {
        String env = System.getenv("ROTOR_AGENT_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".rotor-agent");
    }

    private static char[] enrollmentToken() throws java.io.IOException {
        String env = System.getenv(TOKEN_ENV);
        if (env != null && !env.isBlank()) {
            return env.trim().toCharArray();
        }
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                java.nio.charset.StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null || line.isBlank()) {
            throw new IllegalArgumentException("the enrollment token: set " + TOKEN_ENV + " or give it on stdin");
        }
        return line.trim().toCharArray();
    }
}
