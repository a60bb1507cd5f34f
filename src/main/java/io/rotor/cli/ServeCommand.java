package io.rotor.cli;

import io.rotor.Engine;
import io.rotor.RotorRuntime;
import io.rotor.config.InventoryApplier;
import io.rotor.config.RotorSettings;
import io.rotor.security.HttpTransport;
import io.rotor.security.RouteFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "serve", description = "Run the engine: health, metrics and schedules over HTTP. Start-up recovery runs first.")
public class ServeCommand implements Callable<Integer> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);

    @Mixin
    CommonOptions common;

    @Option(names = "--port", paramLabel = "N", description = "HTTP port (default: 8080).")
    Integer port;

    @Option(names = HttpTransport.INSECURE_FLAG, description = "Allow plain HTTP on a non-loopback address "
            + "(without it, such a bind needs " + HttpTransport.KEY_STORE_SETTING + ").")
    boolean insecureHttp;

    @Override
    public Integer call() throws Exception {
        Map<String, String> extra = new HashMap<>();
        if (port != null) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 1 and 65535, not " + port);
            }
            extra.put("camel.server.port", String.valueOf(port));
        }
        RotorSettings settings = common.settings(extra);
        // every refusal comes before the vault is opened: plain HTTP on the network, route files others can change
        HttpTransport transport = HttpTransport.decide(settings, System.getenv(), insecureHttp);
        if (Files.isDirectory(settings.home().routes())) {
            RouteFiles.checkSafe(settings.home().routes());
        }
        try (RotorRuntime runtime = RotorRuntime.open(settings, System.getenv())) {
            InventoryApplier.Summary applied = runtime.applyInventory(System.getenv(), "serve", false, true);
            LOG.info("home {}; inventory {}", settings.home(), applied == null ? "absent (" + settings.inventoryFile() + ")"
                    : "applied from " + settings.inventoryFile() + ": " + applied.describe());
            Engine.create(runtime, true, transport).run();
        }
        return ExitCodes.SUCCESS;
    }
}
