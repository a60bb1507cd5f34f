package io.rotor.config;

import java.util.List;

/**
 * An inventory file that cannot be used. Carries every problem found, one line each, in the form
 * {@code config/inventory.yaml: targets[1] (id=pg-prod): field 'port': must be between 1 and 65535}.
 * No line ever contains a value that could be a secret.
 */
public class InventoryException extends RuntimeException {
    private final List<String> problems;

    public InventoryException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        String header = problems.size() == 1 ? "invalid inventory (1 problem):" : "invalid inventory (" + problems.size() + " problems):";
        return header + "\n" + String.join("\n", problems);
    }
}
