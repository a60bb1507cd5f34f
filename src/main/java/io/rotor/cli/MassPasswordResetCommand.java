package io.rotor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The seed's {@code mass_password_reset.py} as {@code rotor mass-password-reset}: asks the server at
 * {@code --base-url} to run the workflow, follows the job (a progress bar on a terminal, plain lines otherwise, on
 * stderr), prints a summary table and exits 0 (SUCCEEDED), 2 (PARTIAL), 1 (FAILED, CANCELLED or an error) or 64
 * (usage). The password comes from ROTOR_PASSWORD or stdin; {@code --password} is accepted for compatibility with
 * the seed but shows the password in the process list.
 */
@Command(name = "mass-password-reset", description = "New passwords for the backing accounts of the targets, copied"
        + " into their linked vault accounts (runs on the server at --base-url).")
public class MassPasswordResetCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--target", arity = "1..*", required = true, paramLabel = "ID", description = "Target ids to process.")
    List<String> targets = new ArrayList<>();
    @Option(names = "--vault-target", required = true, paramLabel = "ID", description = "The vault target.")
    String vaultTarget;
    @Option(names = "--vault-link-attribute", required = true, paramLabel = "ATTR", description = "Attribute linking vault accounts to backing accounts.")
    String linkAttribute;
    @Option(names = "--base-url", required = true, paramLabel = "URL", description = "The Rotor server, e.g. http://127.0.0.1:8080.")
    String baseUrl;
    @Option(names = "--username", required = true, paramLabel = "U", description = "Service account (HTTP Basic).")
    String username;
    @Option(names = "--password", paramLabel = "P", description = "Seed compatibility only: visible in the process list."
            + " Prefer ROTOR_PASSWORD or stdin.")
    String password;
    @Option(names = "--batch-size", paramLabel = "N", description = "Batch size (default 256, at least 32).")
    Integer batchSize;
    @Option(names = "--report", description = "Write a SQLite report on the server.")
    boolean report;
    @Option(names = "--dry-run", description = "Show the plan only; touch nothing.")
    boolean dryRun;
    @Option(names = "--include-admin-accounts", description = "Also rotate the targets' own admin and login accounts,"
            + " after every other account (without it they are skipped).")
    boolean includeAdminAccounts;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (batchSize != null && batchSize < 32) {
            err.println("rotor: --batch-size must be at least 32 (got " + batchSize + ")");
            return ExitCodes.USAGE;
        }
        ObjectNode body = JSON.createObjectNode();
        targets.forEach(body.putArray("target")::add);
        body.put("vaultTarget", vaultTarget).put("vaultLinkAttribute", linkAttribute).put("report", report).put("dryRun", dryRun);
        if (batchSize != null) {
            body.put("batchSize", batchSize);
        }
        if (includeAdminAccounts) {
            body.put("includeAdminAccounts", true);
        }
        return WorkflowClient.run(baseUrl, username, password, "mass-password-reset", body, out, err);
    }
}
