package io.rotor.cli;

import io.rotor.Engine;
import io.rotor.RotorRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "serve", description = "Run the engine: health, metrics and schedules over HTTP. Start-up recovery runs first.")
public class ServeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: 8080).")
    Integer port;

    @Override
    public Integer call() throws Exception {
        Map<String, String> extra = new HashMap<>();
        if (port != null) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 1 and 65535, not " + port);
            }
            extra.put("camel.server.port", String.valueOf(port));
        }
        try (RotorRuntime runtime = RotorRuntime.open(common.settings(extra), System.getenv())) {
            Engine.create(runtime, true).run();
        }
        return ExitCodes.SUCCESS;
    }
}
