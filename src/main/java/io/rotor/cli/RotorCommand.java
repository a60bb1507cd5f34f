package io.rotor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rotor}: the top-level command. Errors print one line ({@code rotor: <reason>}) and never a stack
 * trace; exit codes are in {@link ExitCodes}.
 */
@Command(name = "rotor", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "Rotor 0.1.0",
        description = "Credential-rotation engine on Apache Camel.",
        subcommands = {ServeCommand.class, InventoryCommand.class, RotateCommand.class, SetCommand.class, AccountsCommand.class,
                RecoverCommand.class, VaultCommand.class, TokenCommand.class, AgentTokenCommand.class, AgentCommand.class, ServiceAccountCommand.class,
                ChangerCommand.class, AuditCommand.class, DriftCommand.class, MassOnboardCommand.class, MassPasswordResetCommand.class, SingleUserOffboardCommand.class})
public class RotorCommand implements Runnable {

    @Command(name = "verify", description = "Log in with the vault's CURRENT credential and record IN_SYNC or OUT_OF_SYNC.")
    int verify(@Mixin CommonOptions common,
               @Option(names = "--account", paramLabel = "ID", required = true, description = "The account.") String account)
            throws Exception {
        return AccountOperation.run(common, "direct:verify-account", account, null, java.util.Map.of(),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    @Command(name = "reconcile", description = "Reset the credential through the target's admin account, then verify and commit it.")
    int reconcile(@Mixin CommonOptions common,
                  @Option(names = "--account", paramLabel = "ID", required = true, description = "The account.") String account)
            throws Exception {
        return AccountOperation.run(common, "direct:reconcile-account", account, null, java.util.Map.of(),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new RotorCommand());
        commandLine.setParameterExceptionHandler((e, badArgs) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("rotor: " + usageMessage(e));
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("rotor: " + reason(e));
            return e instanceof io.rotor.security.UnsafeConfigurationException ? ExitCodes.UNSAFE_CONFIGURATION
                    : ExitCodes.FAILURE;
        });
        return commandLine.execute(args);
    }

    /**
     * Picocli's message, except that unknown arguments are named only when they look like options: a value typed
     * after a mistaken {@code --password} is not printed again.
     */
    static String usageMessage(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            java.util.List<String> options = unmatched.getUnmatched().stream().filter(a -> a.startsWith("-"))
                    .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a).toList();
            int others = unmatched.getUnmatched().size() - options.size();
            return (options.isEmpty() ? "unexpected arguments" : "unknown option(s): " + String.join(", ", options))
                    + (others > 0 ? " (" + others + " other argument(s) not shown)" : "");
        }
        return e.getMessage();
    }

    static String reason(Throwable e) {
        Throwable shown = e;
        // wrappers (Camel's, reflection's) add nothing a user needs; show the innermost message that exists
        while (shown.getCause() != null && shown.getCause() != shown
                && (shown.getMessage() == null || shown instanceof org.apache.camel.RuntimeCamelException
                || shown instanceof java.lang.reflect.InvocationTargetException)) {
            shown = shown.getCause();
        }
        return shown.getMessage() == null ? shown.getClass().getSimpleName() : shown.getMessage();
    }
}
