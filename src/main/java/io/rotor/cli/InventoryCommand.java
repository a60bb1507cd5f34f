package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.config.InventoryApplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rotor inventory apply}: the one way, besides {@code serve} starting, that the inventory file reaches the
 * vault. Other commands never read it, so a command started in the wrong place cannot rewrite targets.
 */
@Command(name = "inventory", description = "Inventory as code.", subcommands = InventoryCommand.Apply.class)
public class InventoryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "an inventory command is required (apply)");
    }

    @Command(name = "apply", description = "Validate rotor.inventory (default: config/inventory.yaml under the home) "
            + "and write its policies, targets and accounts into the vault; recorded in the audit trail.")
    static class Apply implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                InventoryApplier.Summary summary = runtime.applyInventory(System.getenv(), TokenCommand.actor(), true);
                spec.commandLine().getOut().println("inventory applied from " + runtime.settings().inventoryFile()
                        + ": " + summary.describe());
                return ExitCodes.SUCCESS;
            }
        }
    }
}
