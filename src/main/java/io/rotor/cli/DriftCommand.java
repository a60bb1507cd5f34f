package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.vault.VaultModel;
import io.rotor.workflow.DriftService;
import io.rotor.workflow.DriftService.AccountDrift;
import io.rotor.workflow.DriftService.DriftReport;
import io.rotor.workflow.DriftService.LinkDrift;
import io.rotor.workflow.DriftService.TargetDrift;
import io.rotor.workflow.OperationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rotor drift [--target ID] [--repair]}: per target, the accounts whose vault CURRENT no longer logs in (last
 * verify), those DISABLED or NEEDS_RECONCILE, and the linked vault accounts that differ from their backing account.
 * Reads the vault only. Exit 0 when nothing drifted, 2 when something did (after --repair: when something is left).
 */
@Command(name = "drift", description = "Report accounts that drifted from their target or backing account (never a secret).")
public class DriftCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--target", paramLabel = "ID", description = "Only this (real) target.")
    String target;

    @Option(names = "--repair", description = "Re-synchronise the differing linked vault accounts from their backing"
            + " account (vault only; audited).")
    boolean repair;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
            if (target != null) {
                var found = runtime.vault().targets().findTarget(target)
                        .orElseThrow(() -> new IllegalArgumentException("unknown target id '" + target + "'"));
                if (VaultModel.isVaultView(found.type())) {
                    throw new IllegalArgumentException("target '" + target + "' is a vault view; give the backing (real) target");
                }
            }
            DriftService drift = runtime.drift();
            DriftReport report;
            if (repair) {
                DriftService.RepairReport repaired = drift.repair(target, "cli:" + System.getProperty("user.name", "unknown"));
                for (OperationResult r : repaired.results()) {
                    out.println("repair " + r.accountId() + ": " + r.outcome() + " - " + r.detail());
                }
                out.println("repaired " + repaired.linksRepaired() + " linked vault account(s); " + repaired.linksFailed()
                        + " still differ");
                report = repaired.after();
            } else {
                report = drift.report(target);
            }
            out.print(text(report));
            out.flush();
            return report.driftCount() == 0 ? ExitCodes.SUCCESS : ExitCodes.PARTIAL;
        }
    }

    static String text(DriftReport report) {
        StringBuilder out = new StringBuilder();
        for (TargetDrift t : report.targets()) {
            out.append("target ").append(t.targetId()).append(": ").append(t.accounts()).append(" account(s), ")
                    .append(t.clean() ? "no drift" : (t.accountDrift().size() + t.linkDrift().size()) + " drift(s)").append('\n');
            for (AccountDrift a : t.accountDrift()) {
                out.append("  ").append(a.problem()).append("  ").append(a.accountId()).append(" (").append(a.status())
                        .append("): ").append(a.detail()).append('\n');
            }
            for (LinkDrift l : t.linkDrift()) {
                out.append("  LINK_").append(l.problem()).append("  vault account ").append(l.vaultAccountId()).append(" on ")
                        .append(l.vaultTargetId()).append(" (").append(l.linkAttribute()).append(" = ")
                        .append(l.backingAccountId()).append(")\n");
            }
        }
        out.append(report.driftCount()).append(" drift(s) in ").append(report.targets().size()).append(" target(s)\n");
        return out.toString();
    }
}
