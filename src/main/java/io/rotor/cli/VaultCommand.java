package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.vault.CredentialRepository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "vault", description = "Vault maintenance.", subcommands = {VaultCommand.RotateKey.class, VaultCommand.RotateTransportKey.class})
public class VaultCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a vault command is required (rotate-key, rotate-transport-key)");
    }

    /**
     * Adds a new primary key and re-encrypts every record under it. Safe while the server runs: the server
     * reloads the keyset when it sees the new generation, and every record stays readable throughout because
     * old keys are kept for decryption.
     */
    @Command(name = "rotate-key", description = "Add a new primary encryption key and re-encrypt every stored credential.")
    static class RotateKey implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                CredentialRepository credentials = runtime.vault().credentials();
                long generation = credentials.crypto().addPrimaryKey();
                int records = credentials.reencryptAll();
                spec.commandLine().getOut().println("vault key rotated: keyset generation " + generation + " with "
                        + credentials.crypto().keyCount() + " key(s); re-encrypted " + records + " credential record(s)");
                return ExitCodes.SUCCESS;
            }
        }
    }

    /**
     * Makes a new transport key pair for the password self-service and serves it from now on; the previous key's
     * publicKeyId is accepted for rotor.password-management.key-grace, then refused. Audited (TRANSPORT_KEY_ROTATE).
     */
    @Command(name = "rotate-transport-key", description = "Make a new transport key pair for /v3 set-password;"
            + " the old publicKeyId is accepted for the grace period (rotor.password-management.key-grace).")
    static class RotateTransportKey implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                var keys = runtime.passwordManagement().keys();
                var key = keys.rotate("cli:" + System.getProperty("user.name", "unknown"));
                spec.commandLine().getOut().println("transport key rotated: publicKeyId " + key.id()
                        + "; the previous key is accepted for " + keys.grace());
                return ExitCodes.SUCCESS;
            }
        }
    }
}
