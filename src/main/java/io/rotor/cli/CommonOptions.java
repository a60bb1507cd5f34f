package io.rotor.cli;

import io.rotor.Engine;
import io.rotor.RotorRuntime;
import io.rotor.config.RotorSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Options every command shares: where the configuration and the data live. */
public class CommonOptions {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the vault file and master key (default: ./data).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (default: config/application.properties).")
    Path config = Path.of("config", "application.properties");

    RotorSettings settings(Map<String, String> extra) {
        Map<String, String> overrides = new HashMap<>(extra);
        if (dataDir != null) {
            overrides.put("rotor.data-dir", dataDir.toString());
        }
        return RotorSettings.load(config, overrides);
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
