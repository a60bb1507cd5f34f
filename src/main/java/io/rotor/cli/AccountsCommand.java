package io.rotor.cli;

import io.rotor.RotorRuntime;
import io.rotor.domain.Account;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "accounts", description = "List accounts with their status (never their secrets).",
        subcommands = AccountsCommand.Enable.class)
public class AccountsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--target", paramLabel = "ID", description = "Only the accounts of this target.")
    String target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
            if (target != null && runtime.vault().targets().findTarget(target).isEmpty()) {
                throw new IllegalArgumentException("unknown target id '" + target + "'");
            }
            List<Account> accounts = runtime.vault().accounts().listAccounts(target);
            spec.commandLine().getOut().print(table(accounts, runtime.rotation()::verificationKind));
            spec.commandLine().getOut().flush();
            return ExitCodes.SUCCESS;
        }
    }

    /** {@code rotor accounts enable <id>}: ends DISABLED (automatic work may touch the account again); audited. */
    @Command(name = "enable", description = "Re-enable an account DISABLED for automatic work (after too many failed operations).")
    static class Enable implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @picocli.CommandLine.Parameters(paramLabel = "ACCOUNT", description = "The account id.")
        String accountId;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (RotorRuntime runtime = RotorRuntime.open(common.settings(Map.of()), System.getenv())) {
                var accounts = runtime.vault().accounts();
                Account account = accounts.findAccount(accountId)
                        .orElseThrow(() -> new IllegalArgumentException("unknown account id '" + accountId + "'"));
                String actor = "cli:" + System.getProperty("user.name", "unknown");
                boolean enabled = accounts.enable(accountId, io.rotor.vault.AuditRecord.of(actor, "ENABLE", accountId,
                        account.targetId(), null, "SUCCEEDED", "re-enabled for automatic work from the command line"));
                if (!enabled) {
                    spec.commandLine().getErr().println("rotor: account '" + accountId + "' is not DISABLED; nothing to enable");
                    return ExitCodes.FAILURE;
                }
                spec.commandLine().getOut().println(accountId + ": enabled for automatic work (status "
                        + accounts.findAccount(accountId).orElseThrow().status() + " until a verify passes)");
                return ExitCodes.SUCCESS;
            }
        }
    }

    static String table(List<Account> accounts) {
        return table(accounts, id -> null);
    }

    /** The table with a VERIFICATION column: LOGIN or CONFIRMED (docs/architecture.md, "Confirmed verification"). */
    static String table(List<Account> accounts,
                        java.util.function.Function<String, io.rotor.connector.VerificationKind> verification) {
        String[] headers = {"ACCOUNT", "TARGET", "USERNAME", "TYPE", "STATUS", "VERSION", "VERIFICATION"};
        int[] widths = new int[headers.length];
        for (int i = 0; i < headers.length; i++) {
            widths[i] = headers[i].length();
        }
        List<String[]> rows = accounts.stream().map(a -> new String[]{a.id(), a.targetId(), a.username(),
                a.credentialType().name(), a.status().name(), String.valueOf(a.version()),
                String.valueOf(java.util.Objects.requireNonNullElse(verification.apply(a.id()), "-"))}).toList();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        appendRow(out, headers, widths);
        rows.forEach(r -> appendRow(out, r, widths));
        out.append(accounts.size()).append(" account(s)\n");
        return out.toString();
    }

    private static void appendRow(StringBuilder out, String[] cells, int[] widths) {
        for (int i = 0; i < cells.length; i++) {
            boolean last = i == cells.length - 1;
            out.append(last ? cells[i] : String.format("%-" + widths[i] + "s", cells[i]));
            out.append(last ? "\n" : "  ");
        }
    }
}
