package io.rotor.cli;

import io.rotor.domain.Secret;
import io.rotor.domain.SecretRules;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rotor set}: PassMan's "Reset Credentials". The value comes from stdin (never the command line) or is
 * generated from the policy; {@code --vault-only} is "Change on target" unchecked.
 */
@Command(name = "set", description = "Set an account's credential from stdin or a generated one, on the target or only in the vault.")
public class SetCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--account", paramLabel = "ID", required = true, description = "The account.")
    String account;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static class Source {
        @Option(names = "--generate", required = true, description = "Generate the value from the account's password policy.")
        boolean generate;

        @Option(names = "--value-stdin", required = true, description = "Read the value from standard input (one trailing newline is dropped).")
        boolean valueStdin;
    }

    @Option(names = "--vault-only", description = "Only store it in the vault; the account stays UNVERIFIED until a verify passes.")
    boolean vaultOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Secret value = source.valueStdin ? readValue(System.in) : null;
        try {
            if (value != null) {
                SecretRules.check(value);
            }
            return AccountOperation.run(common, "direct:set-credential", account, value, Map.of("vaultOnly", vaultOnly),
                    spec.commandLine().getOut(), spec.commandLine().getErr());
        } finally {
            if (value != null) {
                value.close();
            }
        }
    }

    static Secret readValue(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
        }
        byte[] value = Arrays.copyOf(bytes, end);
        Arrays.fill(bytes, (byte) 0);
        try {
            return Secret.fromUtf8(value);
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }
}
