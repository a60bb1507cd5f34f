package io.rotor.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "recover", description = "Settle PENDING credentials left by a crash: one account, or all of them"
        + " (`rotor serve` does this for all accounts at start-up).")
public class RecoverCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--account", paramLabel = "ID", description = "Only this account (default: every account with a PENDING credential).")
    String account;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (account != null) {
            return AccountOperation.run(common, "direct:recover-account", account, null, Map.of(), out, err);
        }
        try (CommonOptions.EmbeddedEngine embedded = common.startEmbedded()) {
            Object reply = embedded.engine().request("direct:recover-all", Map.of("actor", "cli"), null, Object.class);
            return AccountOperation.reportTally(reply, "recovery",
                    r -> r.status() == io.rotor.domain.AccountStatus.IN_SYNC, out, err);
        }
    }
}
