package io.rotor.connector.ssh;

import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A dialogue over an SSH shell channel of an authenticated session. Without a pty the remote shell reads its
 * commands from stdin and stderr is merged into the output; with one (su, network devices) it is a terminal.
 * Lines end with LF.
 */
final class SshShellChannel implements DialogueChannel {
    private final ChannelShell channel;
    private final OutputBuffer output = new OutputBuffer();
    private final OutputStream stdin;

    SshShellChannel(ClientSession session, boolean pty, Duration openTimeout) throws IOException {
        channel = session.createShellChannel();
        channel.setUsePty(pty);
        channel.setOut(output);
        channel.setErr(output);
        channel.open().verify(openTimeout);
        channel.addCloseFutureListener(f -> output.end());
        stdin = channel.getInvertedIn();
    }

    @Override
    public OutputBuffer output() {
        return output;
    }

    @Override
    public void sendLine(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    @Override
    public void close() {
        try {
            channel.close(false).await(Duration.ofSeconds(5));
        } catch (IOException e) {
            channel.close(true);
        }
        output.end();
    }
}
