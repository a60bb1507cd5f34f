package io.rotor.connector.ssh;

import java.io.IOException;

/** Where a dialogue runs: an SSH shell, a telnet session, or a recorded transcript. */
public interface DialogueChannel extends AutoCloseable {
    /** Everything the far end prints arrives here. */
    OutputBuffer output();

    /** Sends one line (the engine adds the line end). */
    void sendLine(String line) throws IOException;

    /** Why the channel stopped early, if it knows (e.g. a replayed input that differs from the recording). */
    default String failure() {
        return null;
    }

    @Override
    void close();
}
