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
 *
 * <p>Bounded: a target that prints more than {@link #maxChars()} characters (a flood, a hostile banner) ends the
 * buffer with a {@link #failure()} instead of filling the heap; and a pattern search gives up at its deadline
 * even inside the regex engine, so that a pathological pattern on hostile output cannot hang a worker.
 */
public final class OutputBuffer extends OutputStream {
    /** The default bound: far more than any prompt dialogue prints. */
    public static final int DEFAULT_MAX_CHARS = 1 << 20;

    private final StringBuilder text = new StringBuilder();
    private final int maxChars;
    private String failure;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private boolean ended;

    public OutputBuffer() {
        this(DEFAULT_MAX_CHARS);
    }

    public OutputBuffer(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be positive");
        }
        this.maxChars = maxChars;
    }

    public int maxChars() {
        return maxChars;
    }

    /** Why the buffer stopped taking output (it overflowed), or null. */
    public synchronized String failure() {
        return failure;
    }

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
        pending = ByteBuffer.allocate(in.remaining()).put(in).flip();
        take(out);
    }

    /** Text appended directly (replayed transcripts). */
    public synchronized void append(String s) {
        take(s);
    }

    private void take(CharSequence s) {
        if (ended) {
            notifyAll();
            return;
        }
        int room = maxChars - text.length();
        if (s.length() > room) {
            text.append(s, 0, room);
            failure = "the target printed more than " + maxChars + " characters; the dialogue was stopped";
            ended = true;
        } else {
            text.append(s);
        }
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
            Matcher m = pattern.matcher(new Deadline(text, deadlineNanos));
            try {
                if (from <= text.length() && m.find(from)) {
                    return m.end();
                }
            } catch (Deadline.Passed e) {
                return -1;
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

    /** The text as the regex engine sees it: reading it past the deadline stops the search. */
    private static final class Deadline implements CharSequence {
        static final class Passed extends RuntimeException {
            Passed() {
                super(null, null, false, false);
            }
        }

        private final CharSequence text;
        private final long deadlineNanos;
        private int reads;

        Deadline(CharSequence text, long deadlineNanos) {
            this.text = text;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 0xFFFF) == 0 && System.nanoTime() - deadlineNanos > 0) {
                throw new Passed();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Deadline(text.subSequence(start, end), deadlineNanos);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
