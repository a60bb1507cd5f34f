package io.rotor;

import io.rotor.cli.RotorCommand;

/** Entry point of {@code rotor.jar}: the command line decides what runs (see {@link RotorCommand}). */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        // before any H2 class loads: the vault's AUTO_SERVER port listens on loopback only (see Vault.h2Url)
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
        System.exit(RotorCommand.execute(args));
    }
}
