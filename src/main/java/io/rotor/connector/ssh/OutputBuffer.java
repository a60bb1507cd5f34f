package io.rotor.connector.ssh;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the far end printed, decoded as UTF-8 (a character split across packets is kept until complete).
 * Transports write into it; the dialogue engine waits on it for a pattern.
 */
public final class OutputBuffer extends OutputStream {
    private final StringBuilder text = new StringBuilder();
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private boolean ended;

    @Override
    public synchronized void write(int b) {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        ByteBuffer in = ByteBuffer.allocate(pending.remaining() + len);
        in.put(pending).put(b, off, len).flip();
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        decoder.decode(in, out, false);
        out.flip();
        text.append(out);
        pending = ByteBuffer.allocate(in.remaining()).put(in).flip();
        notifyAll();
    }

    /** Text appended directly (replayed transcripts). */
    public synchronized void append(String s) {
        text.append(s);
        notifyAll();
    }

    /** No more output will come (channel closed, transcript ended). */
    public synchronized void end() {
        ended = true;
        notifyAll();
    }

    @Override
    public void close() {
        end();
    }

    public synchronized boolean ended() {
        return ended;
    }

    public synchronized int length() {
        return text.length();
    }

    public synchronized String since(int from) {
        return text.substring(Math.min(from, text.length()));
    }

    /**
     * Waits until text after {@code from} matches {@code pattern}; returns the index just past the match, or
     * -1 when the deadline passes or the output ended without a match.
     */
    public synchronized int await(Pattern pattern, int from, long deadlineNanos) throws InterruptedException {
        while (true) {
            Matcher m = pattern.matcher(text);
            if (from <= text.length() && m.find(from)) {
                return m.end();
            }
            if (ended) {
                return -1;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return -1;
            }
            long millis = Math.max(1, left / 1_000_000);
            wait(millis);
        }
    }
}
