package io.rotor.cli;

import io.rotor.api.AuthStore;
import io.rotor.api.Authenticator;
import io.rotor.api.Credentials;
import io.rotor.api.Permission;
import io.rotor.api.Principal;
import io.rotor.domain.Role;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VaultUser;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code rotor token create --identity USER}: a personal token bound to one vault user, for /v3 only. */
class IdentityTokenCommandTest {
    @TempDir
    Path dataDir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run rotor(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] withDir = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--data-dir", dataDir.toString())).toArray(String[]::new);
            return new Run(RotorCommand.execute(withDir), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    private <T> T withVault(Function<Vault, T> work) {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            return work.apply(vault);
        }
    }

    @Test
    void anIdentityTokenIsBoundToItsVaultUserAndReachesOnlyTheSelfService() {
        withVault(v -> {
            v.targets().upsertTarget(new Target("staff", "vault-users", "localhost", 0, null, TlsMode.DISABLE, null, null, Map.of()));
            return v.users().createUser("test", new VaultUser("alice", "staff", "alice", null, false));
        });
        Run created = rotor("token", "create", "--name", "alice-pat", "--identity", "alice");
        assertThat(created.exitCode()).as(created.err()).isZero();
        String token = created.out().trim();
        assertThat(created.err()).contains("role identity");
        Principal principal = withVault(v -> new Authenticator(new AuthStore(v.tokens()), v.audit())
                .authorize("Bearer " + token, Permission.SET_OWN_PASSWORD, "POST /v3/set-password"));
        assertThat(principal.role()).isEqualTo(Role.IDENTITY);
        java.util.Optional<String> bound = withVault(v -> v.tokens().boundIdentity("alice-pat"));
        assertThat(bound).contains("alice");
        for (Permission other : new Permission[]{Permission.READ_INVENTORY, Permission.OPERATE, Permission.READ_SECRET,
                Permission.READ_AUDIT, Permission.WRITE_INVENTORY}) {
            assertThatThrownBy(() -> withVault(v -> new Authenticator(new AuthStore(v.tokens()), v.audit())
                    .authorize("Bearer " + token, other, "GET /api/v1/x"))).hasMessageContaining("may not do this");
        }
        java.util.Optional<io.rotor.domain.TokenInfo> stored = withVault(v -> new AuthStore(v.tokens()).findActiveToken(Credentials.tokenHash(token)));
        assertThat(stored).isPresent();
    }

    @Test
    void anUnknownUserOrAMissingOrDoubleChoiceIsRefused() {
        Run unknown = rotor("token", "create", "--name", "x", "--identity", "nobody");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(unknown.err()).contains("no vault user has the id 'nobody'");
        assertThat(rotor("token", "create", "--name", "y").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(rotor("token", "create", "--name", "z", "--role", "admin", "--identity", "a").exitCode()).isEqualTo(ExitCodes.USAGE);
        Run identityRole = rotor("token", "create", "--name", "w", "--role", "identity");
        assertThat(identityRole.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(identityRole.err()).contains("--identity USER");
    }
}
