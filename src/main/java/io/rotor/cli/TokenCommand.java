package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.api.AuthStore;
import io.rotor.api.Credentials;
import io.rotor.domain.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code rotor token create|list|revoke}: API bearer tokens, stored as SHA-256 hashes in the vault. */
@Command(name = "token", description = "API bearer tokens (Authorization: Bearer <token>).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a token command is required (create, list, revoke)");
    }

    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            try {
                Role role = Role.parse(value);
                if (role == Role.IDENTITY) {
                    // an identity token needs its vault user: --identity USER
                    throw new IllegalArgumentException("role must be one of " + Role.names()
                            + " (a personal token of a vault user: --identity USER)");
                }
                return role;
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static String actor() {
        return "cli:" + System.getProperty("user.name", "unknown");
    }

    @Command(name = "create", description = "Create a token and print it on stdout. This is the only time it is shown;"
            + " the vault keeps only its hash.")
    static class Create implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "Unique name, e.g. ci-pipeline.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", converter = RoleConverter.class,
                description = "admin, operator or auditor (not with --identity).")
        Role role;

        @Option(names = "--identity", paramLabel = "USER", description = "A personal token of this vault user id for the"
                + " password self-service (/v3): it may set only that user's own passwords.")
        String identity;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            AuthStore.checkName("--name", name);
            if ((role == null) == (identity == null) || role == Role.IDENTITY) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "give either --role (" + Role.names() + ") or --identity USER");
            }
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                String token = Credentials.newToken();
                if (identity != null) {
                    runtime.vault().tokens().createIdentityToken(name, identity, Credentials.tokenHash(token), actor());
                    role = Role.IDENTITY;
                } else {
                    runtime.auth().createToken(name, role, Credentials.tokenHash(token), actor());
                }
                spec.commandLine().getOut().println(token);
                spec.commandLine().getOut().flush();
                spec.commandLine().getErr().println("token '" + name + "' (role " + role.configName()
                        + ") created; it is shown only this once");
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "list", description = "List tokens: name, role, created, state. Never the token.")
    static class ListTokens implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                List<String[]> rows = runtime.auth().listTokens().stream().map(t -> new String[]{t.name(),
                        t.role().configName(), t.createdAt().toString(), t.createdBy(),
                        t.active() ? "active" : "revoked " + t.revokedAt()}).toList();
                PrintWriter out = spec.commandLine().getOut();
                out.print(Tables.render(new String[]{"NAME", "ROLE", "CREATED", "CREATED BY", "STATE"}, rows));
                out.println(rows.size() + " token(s)");
                out.flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "revoke", description = "Revoke a token; requests with it are refused at once. Its name stays taken.")
    static class Revoke implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--name", paramLabel = "NAME", required = true, description = "The token's name.")
        String name;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                if (!runtime.auth().revokeToken(name, actor())) {
                    throw new IllegalArgumentException("no active token named '" + name + "'");
                }
                spec.commandLine().getOut().println("token '" + name + "' revoked");
                return ExitCodes.SUCCESS;
            }
        }
    }
}
