package io.rotor.cli;

/** The command line's exit codes, shared by every command. */
public final class ExitCodes {
    public static final int SUCCESS = 0;
    public static final int FAILURE = 1;
    public static final int PARTIAL = 2;
    /** EX_USAGE from sysexits.h: the command line itself was wrong. */
    public static final int USAGE = 64;
    /** EX_CONFIG from sysexits.h: a set-up Rotor refuses as unsafe (see {@code UnsafeConfigurationException}). */
    public static final int UNSAFE_CONFIGURATION = 78;

    private ExitCodes() {
    }
}
