package io.rotor.cli;

import io.rotor.api.AuthStore;
import io.rotor.api.Authenticator;
import io.rotor.api.Credentials;
import io.rotor.api.Principal;
import io.rotor.domain.Role;
import io.rotor.domain.TokenInfo;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rotor token ...} and {@code rotor service-account ...} against a real vault in a scratch directory. */
class AuthCommandsTest {
    @TempDir
    Path dataDir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run rotor(String stdin, String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        InputStream originalIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            String[] withDir = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
            return new Run(RotorCommand.execute(withDir), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            System.setIn(originalIn);
        }
    }

    private <T> T withVault(Function<Vault, T> work) {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            return work.apply(vault);
        }
    }

    private Principal login(String authorization) {
        return withVault(v -> new Authenticator(new AuthStore(v.tokens()), v.audit())
                .authenticate(authorization, "test"));
    }

    @Test
    void aCreatedTokenIsPrintedOnceAndAuthenticatesWithItsRole() {
        Run created = rotor("", "token", "create", "--name", "ci", "--role", "operator");

        assertThat(created.exitCode()).as(created.err()).isZero();
        String token = created.out().trim();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(created.err()).contains("shown only this once").doesNotContain(token);
        assertThat(login("Bearer " + token)).isEqualTo(new Principal("token", "ci", Role.OPERATOR));

        Run list = rotor("", "token", "list");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).containsPattern("ci\\s+operator\\s+\\S+\\s+cli:\\S+\\s+active").doesNotContain(token)
                .doesNotContain(Credentials.tokenHash(token));

        Run revoked = rotor("", "token", "revoke", "--name", "ci");
        assertThat(revoked.exitCode()).isZero();
        assertThat(rotor("", "token", "list").out()).containsPattern("ci\\s+operator.*revoked");
        java.util.Optional<TokenInfo> active = withVault(v -> new AuthStore(v.tokens())
                .findActiveToken(Credentials.tokenHash(token)));
        assertThat(active).isEmpty();
    }

    @Test
    void badTokenCommandsSayWhy() {
        Run role = rotor("", "token", "create", "--name", "x", "--role", "root");
        assertThat(role.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(role.err()).contains("role must be one of admin, operator, auditor");

        Run name = rotor("", "token", "create", "--name", "bad name", "--role", "admin");
        assertThat(name.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(name.err()).contains("--name must match");

        assertThat(rotor("", "token", "create", "--name", "dup", "--role", "admin").exitCode()).isZero();
        Run dup = rotor("", "token", "create", "--name", "dup", "--role", "admin");
        assertThat(dup.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(dup.err()).contains("already exists");
        assertThat(dup.out()).as("no token printed when none was stored").isEmpty();

        Run unknown = rotor("", "token", "revoke", "--name", "nope");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(unknown.err()).contains("no active token named 'nope'");
    }

    @Test
    void aServiceAccountTakesItsPasswordFromStdinNeverFromTheCommandLine() {
        String password = "Seed-Script pass ;'\"";
        Run created = rotor(password + "\n", "service-account", "create", "--username", "seed", "--role", "auditor");

        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(created.out() + created.err()).doesNotContain(password);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("seed:" + password).getBytes(StandardCharsets.UTF_8));
        assertThat(login(basic)).isEqualTo(new Principal("service-account", "seed", Role.AUDITOR));
        assertThat(rotor("", "service-account", "list").out()).containsPattern("seed\\s+auditor");

        Run onArgv = rotor("", "service-account", "create", "--username", "x", "--role", "admin", "--password", password);
        assertThat(onArgv.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(onArgv.err()).contains("--password").doesNotContain(password);

        Run tooShort = rotor("short\n", "service-account", "create", "--username", "y", "--role", "admin");
        assertThat(tooShort.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(tooShort.err()).contains("at least 12 characters").doesNotContain("short\n");

        assertThat(rotor("", "service-account", "delete", "--username", "seed").exitCode()).isZero();
        assertThat(rotor("", "service-account", "list").out()).doesNotContain("seed");
    }
}
