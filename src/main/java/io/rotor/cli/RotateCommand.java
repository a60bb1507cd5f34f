package io.rotor.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "rotate", description = "Rotate one account's credential, or every account of a target.")
public class RotateCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    static class Selection {
        @Option(names = "--account", paramLabel = "ID", required = true, description = "The account to rotate.")
        String account;

        @Option(names = "--target", paramLabel = "ID", required = true, description = "Rotate every account of this target.")
        String target;
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (selection.account != null) {
            return AccountOperation.run(common, "direct:rotate-account", selection.account, null, Map.of(), out, err);
        }
        try (CommonOptions.EmbeddedEngine embedded = common.startEmbedded()) {
            Object reply = embedded.engine().request("direct:rotate-target",
                    Map.of("targetId", selection.target, "actor", "cli:" + System.getProperty("user.name", "unknown")),
                    null, Object.class);
            return AccountOperation.reportTally(reply, "target " + selection.target, out, err);
        }
    }
}
