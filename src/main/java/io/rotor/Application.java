package io.rotor;

import io.rotor.cli.RotorCommand;

/** Entry point of {@code rotor.jar}: the command line decides what runs (see {@link RotorCommand}). */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        System.exit(RotorCommand.execute(args));
    }
}
