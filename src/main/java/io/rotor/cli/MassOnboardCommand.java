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
 * The seed's {@code mass_onboard.py} as {@code rotor mass-onboard}, with exactly its flags (plus {@code --dry-run}
 * and {@code --discovery-filter}), run on the server at {@code --base-url} by an admin; the same password rules,
 * progress, table and exit codes as {@code rotor mass-password-reset}.
 */
@Command(name = "mass-onboard", description = "Onboard the accounts of the targets: user groups and members, discovery,"
        + " initial passwords on the targets, linked vault accounts from a template (runs on the server at --base-url).")
public class MassOnboardCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--target", arity = "1..*", required = true, paramLabel = "ID", description = "Target ids to process.")
    List<String> targets = new ArrayList<>();
    @Option(names = "--vault-user-target", required = true, paramLabel = "ID", description = "The vault user target (users and groups).")
    String vaultUserTarget;
    @Option(names = "--vault-target", required = true, paramLabel = "ID", description = "The vault target (credential storage).")
    String vaultTarget;
    @Option(names = "--vault-association-attribute", required = true, paramLabel = "ATTR", description = "Attribute associating users with vault accounts.")
    String associationAttribute;
    @Option(names = "--vault-group-attribute", required = true, paramLabel = "ATTR", description = "Attribute naming a vault account's user groups.")
    String groupAttribute;
    @Option(names = "--vault-link-attribute", required = true, paramLabel = "ATTR", description = "Attribute holding the backing account id.")
    String linkAttribute;
    @Option(names = "--vault-template-id", required = true, paramLabel = "ID", description = "Template for the new vault accounts.")
    String templateId;
    @Option(names = "--base-url", required = true, paramLabel = "URL", description = "The Rotor server.")
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
    @Option(names = "--dry-run", description = "Show the plan only, per account: what would be onboarded, what is"
            + " refused and why; change nothing.")
    boolean dryRun;
    @Option(names = "--discovery-filter", paramLabel = "PATTERN", description = "Discovery filter for every target (a"
            + " LIKE pattern such as app\\_%); without it each target's discovery.filter setting is used, and a"
            + " target with neither is refused.")
    String discoveryFilter;

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
        body.put("vaultUserTarget", vaultUserTarget).put("vaultTarget", vaultTarget)
                .put("vaultAssociationAttribute", associationAttribute).put("vaultGroupAttribute", groupAttribute)
                .put("vaultLinkAttribute", linkAttribute).put("vaultTemplateId", templateId)
                .put("report", report).put("dryRun", dryRun);
        if (batchSize != null) {
            body.put("batchSize", batchSize);
        }
        if (discoveryFilter != null) {
            body.put("discoveryFilter", discoveryFilter);
        }
        return WorkflowClient.run(baseUrl, username, password, "mass-onboard", body, out, err);
    }
}
