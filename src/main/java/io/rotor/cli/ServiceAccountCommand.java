package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.api.AuthStore;
import io.rotor.api.Credentials;
import io.rotor.domain.Role;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rotor service-account create|list|delete}: the seed scripts' {@code --username/--password} accounts for
 * HTTP Basic. The password is read from stdin (or typed at the terminal, twice, without echo), never from the
 * command line; the vault keeps a salted PBKDF2 hash.
 */
@Command(name = "service-account", description = "API service accounts (HTTP Basic, the seed scripts' --username/--password).",
        subcommands = {ServiceAccountCommand.Create.class, ServiceAccountCommand.ListAccounts.class,
                ServiceAccountCommand.Delete.class})
public class ServiceAccountCommand implements Runnable {
    public static final int MIN_PASSWORD_LENGTH = 12;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a service-account command is required (create, list, delete)");
    }

    @Command(name = "create", description = "Create a service account; its password is read from stdin"
            + " (one trailing newline is dropped) or typed twice at a terminal.")
    static class Create implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--username", paramLabel = "U", required = true, description = "The username for HTTP Basic.")
        String username;

        @Option(names = "--role", paramLabel = "ROLE", required = true, converter = TokenCommand.RoleConverter.class,
                description = "admin, operator or auditor.")
        Role role;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            AuthStore.checkName("--username", username);
            char[] password = readPassword(System.console(), System.in);
            try {
                checkPassword(password);
                String hash = Credentials.hashPassword(password);
                try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                    runtime.auth().createServiceAccount(username, role, hash, TokenCommand.actor());
                }
                spec.commandLine().getOut().println("service account '" + username + "' (role " + role.configName()
                        + ") created");
                return ExitCodes.SUCCESS;
            } finally {
                Arrays.fill(password, '\0');
            }
        }
    }

    @Command(name = "list", description = "List service accounts: username, role, created. Never the password.")
    static class ListAccounts implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                List<String[]> rows = runtime.auth().listServiceAccounts().stream().map(a -> new String[]{a.username(),
                        a.role().configName(), a.createdAt().toString(), a.createdBy()}).toList();
                PrintWriter out = spec.commandLine().getOut();
                out.print(Tables.render(new String[]{"USERNAME", "ROLE", "CREATED", "CREATED BY"}, rows));
                out.println(rows.size() + " service account(s)");
                out.flush();
                return ExitCodes.SUCCESS;
            }
        }
    }

    @Command(name = "delete", description = "Delete a service account; its requests are refused at once.")
    static class Delete implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--username", paramLabel = "U", required = true, description = "The service account.")
        String username;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                if (!runtime.auth().deleteServiceAccount(username, TokenCommand.actor())) {
                    throw new IllegalArgumentException("no service account named '" + username + "'");
                }
                spec.commandLine().getOut().println("service account '" + username + "' deleted");
                return ExitCodes.SUCCESS;
            }
        }
    }

    /**
     * At a terminal (Java gives a console only when stdin and stdout are both terminals): typed twice without
     * echo. Otherwise: all of stdin, one trailing newline dropped.
     */
    static char[] readPassword(Console console, InputStream in) throws IOException {
        if (console != null) {
            char[] first = console.readPassword("Password for the service account: ");
            char[] second = console.readPassword("Again: ");
            try {
                if (first == null || second == null || !Arrays.equals(first, second)) {
                    throw new IllegalArgumentException("the two passwords differ");
                }
                return first.clone();
            } finally {
                if (first != null) {
                    Arrays.fill(first, '\0');
                }
                if (second != null) {
                    Arrays.fill(second, '\0');
                }
            }
        }
        return readStdin(in);
    }

    static char[] readStdin(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(Credentials.MAX_PASSWORD_LENGTH * 4 + 3);
        try {
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\n') {
                end--;
                if (end > 0 && bytes[end - 1] == '\r') {
                    end--;
                }
            }
            CharBuffer chars;
            try {
                chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, end));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("the password on stdin is not valid UTF-8");
            }
            char[] password = new char[chars.remaining()];
            chars.get(password);
            Arrays.fill(chars.array(), '\0');
            return password;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Messages never repeat the password. */
    static void checkPassword(char[] password) {
        if (password.length < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("the password must be at least " + MIN_PASSWORD_LENGTH
                    + " characters (it is read from stdin)");
        }
        if (password.length > Credentials.MAX_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("the password must be at most " + Credentials.MAX_PASSWORD_LENGTH + " characters");
        }
        for (int i = 0; i < password.length; i++) {
            char c = password[i];
            if (c == '\0' || c == '\r' || c == '\n') {
                throw new IllegalArgumentException("the password must not contain NUL, CR or LF (found at position " + (i + 1) + ")");
            }
        }
    }
}
