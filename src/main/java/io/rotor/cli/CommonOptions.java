package io.rotor.cli;

import io.rotor.Engine;
import io.rotor.RotorRuntime;
import io.rotor.config.RotorHome;
import io.rotor.config.RotorSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Options every command shares: the Rotor home, where the configuration and the data live. Relative paths
 * resolve against the home, never against the current directory (see {@link RotorHome}).
 */
public class CommonOptions {
    @Option(names = "--home", paramLabel = "DIR", description = "Rotor home: its config/, routes/ and data/ are used "
            + "(default: $" + RotorHome.ENV_VARIABLE + ", else the directory above the jar's folder).")
    Path home;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the vault file and master key "
            + "(default: data under the home; relative: under the home).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: "
            + "config/application.properties under the home; relative: under the home).")
    Path config;

    RotorSettings settings(Map<String, String> extra) {
        Map<String, String> overrides = new HashMap<>(extra);
        if (dataDir != null) {
            overrides.put("rotor.data-dir", dataDir.toString());
        }
        return RotorSettings.load(RotorHome.resolve(home, System.getenv()), config, overrides);
    }

    /** Opens the vault and starts an engine without HTTP, for one command. */
    EmbeddedEngine startEmbedded() throws Exception {
        RotorRuntime runtime = RotorRuntime.open(settings(Map.of()), System.getenv());
        try {
            Engine engine = Engine.create(runtime, false).start();
            return new EmbeddedEngine(runtime, engine);
        } catch (Exception | Error e) {
            runtime.close();
            throw e;
        }
    }

    record EmbeddedEngine(RotorRuntime runtime, Engine engine) implements AutoCloseable {
        @Override
        public void close() {
            engine.close();
            runtime.close();
        }
    }
}
