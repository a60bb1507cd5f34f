package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.cluster.agent.AgentCredentials;
import io.rotor.cluster.agent.PinnedTls;
import io.rotor.security.HttpTransport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rotor agent-token create|list|revoke}: agents' one-time enrollment tokens (docs/architecture.md, "Agents"). */
@Command(name = "agent-token", description = "Agents of sites the server cannot reach: enrollment tokens, list, revoke.",
        subcommands = {AgentTokenCommand.Create.class, AgentTokenCommand.ListAgents.class, AgentTokenCommand.Revoke.class})
public class AgentTokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "an agent-token command is required (create, list, revoke)");
    }

    static void checkName(String option, String value) {
        if (value == null || !value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            throw new IllegalArgumentException(option + ": letters, digits, '.', '_' or '-', at most 128");
        }
    }

    @Command(name = "create", description = "Create an agent of a site and print its one-time enrollment token on stdout"
            + " (shown only this once; the vault keeps its hash), and the server's key pin on stderr.")
    static class Create implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--site", paramLabel = "SITE", required = true, description = "The site the agent serves.")
        String site;

        @Option(names = "--name", paramLabel = "NAME", description = "Unique name (default: <site>-<random>).")
        String name;

        @Option(names = "--valid-minutes", paramLabel = "M", defaultValue = "60", description = "How long the token may be"
                + " used to enroll (default 60).")
        int validMinutes;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            checkName("--site", site);
            String agent = name != null ? name : site + "-" + AgentCredentials.newSecret().substring(0, 6).replaceAll("[^A-Za-z0-9]", "x");
            checkName("--name", agent);
            if (validMinutes < 1 || validMinutes > 7 * 24 * 60) {
                throw new IllegalArgumentException("--valid-minutes: 1 to 10080");
            }
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                String token = AgentCredentials.newSecret();
                runtime.vault().agents().create(agent, site, AgentCredentials.hash(token), Duration.ofMinutes(validMinutes),
                        TokenCommand.actor());
                spec.commandLine().getOut().println(token);
                spec.commandLine().getOut().flush();
                PrintWriter err = spec.commandLine().getErr();
                err.println("agent '" + agent + "' of site '" + site + "' created; its enrollment token is shown only this"
                        + " once and works once, within " + validMinutes + " min");
                err.println(serverPin(runtime));
                return ExitCodes.SUCCESS;
            }
        }

        private static String serverPin(RotorRuntime runtime) {
            java.nio.file.Path store = runtime.settings().path(HttpTransport.KEY_STORE_SETTING, null);
            String password = System.getenv(HttpTransport.PASSWORD_ENV);
            if (store == null || password == null) {
                return "server pin: unknown here (give " + HttpTransport.KEY_STORE_SETTING + " and "
                        + HttpTransport.PASSWORD_ENV + " to print it)";
            }
            try {
                return "server pin: " + PinnedTls.pinOf(store, password.toCharArray());
            } catch (Exception e) {
                return "server pin: cannot read " + store + " (" + e.getClass().getSimpleName() + ")";
            }
        }
    }

    @Command(name = "list", description = "List agents: name, site, state, last contact. Never a token or credential.")
    static class ListAgents implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                List<String[]> rows = runtime.vault().agents().list().stream().map(a -> new String[]{a.name(), a.site(),
                        a.state(), a.lastContactAt() == null ? "never" : a.lastContactAt().toString(),
                        a.lastAddress() == null ? "" : a.lastAddress()}).toList();
                PrintWriter out = spec.commandLine().getOut();
                out.print(Tables.render(new String[]{"NAME", "SITE", "STATE", "LAST CONTACT", "FROM"}, rows));
                out.println(rows.size() + " agent(s)");
                out.flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "revoke", description = "Revoke an agent (its enrollment token or credential): its requests are refused at once.")
    static class Revoke implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "The agent's name.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                if (!runtime.vault().agents().revoke(name, TokenCommand.actor())) {
                    throw new IllegalArgumentException("no active agent named '" + name + "'");
                }
                spec.commandLine().getOut().println("agent '" + name + "' revoked");
                return ExitCodes.SUCCESS;
            }
        }
    }
}
