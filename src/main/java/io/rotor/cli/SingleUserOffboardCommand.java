package io.rotor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The seed's {@code single_user_offboard.py} as {@code rotor single-user-offboard}, run on the server at
 * {@code --base-url}; the same password rules, progress, table and exit codes as {@code rotor mass-password-reset}.
 */
@Command(name = "single-user-offboard", description = "Hand a departing user's groups and vault-account associations"
        + " to an inheriting user, then rebuild access (runs on the server at --base-url).")
public class SingleUserOffboardCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--user-to-offboard", required = true, paramLabel = "ID", description = "The departing user.")
    String userToOffboard;
    @Option(names = "--user-to-inherit", required = true, paramLabel = "ID", description = "The inheriting user.")
    String userToInherit;
    @Option(names = "--target", arity = "1..*", required = true, paramLabel = "ID", description = "Target ids to process.")
    List<String> targets = new ArrayList<>();
    @Option(names = "--vault-target", required = true, paramLabel = "ID", description = "The vault target.")
    String vaultTarget;
    @Option(names = "--vault-association-attribute", required = true, paramLabel = "ATTR", description = "Attribute associating users with vault accounts.")
    String associationAttribute;
    @Option(names = "--vault-link-attribute", required = true, paramLabel = "ATTR", description = "Attribute holding the backing account id.")
    String linkAttribute;
    @Option(names = "--base-url", required = true, paramLabel = "URL", description = "The Rotor server.")
    String baseUrl;
    @Option(names = "--username", required = true, paramLabel = "U", description = "Service account (HTTP Basic).")
    String username;
    @Option(names = "--password", paramLabel = "P", description = "Seed compatibility only: visible in the process list."
            + " Prefer ROTOR_PASSWORD or stdin.")
    String password;
    @Option(names = "--dry-run", description = "Show the plan only; change nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("userToOffboard", userToOffboard).put("userToInherit", userToInherit);
        targets.forEach(body.putArray("target")::add);
        body.put("vaultTarget", vaultTarget).put("vaultAssociationAttribute", associationAttribute)
                .put("vaultLinkAttribute", linkAttribute).put("dryRun", dryRun);
        return WorkflowClient.run(baseUrl, username, password, "single-user-offboard", body,
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }
}
