package io.rotor.schema;

/** Text from an entry made safe for a one-line message. */
public final class Texts {
    private static final int LIMIT = 130;

    private Texts() {
    }

    /** Control and format characters become \\uXXXX; long text is cut at 130 characters with "...". */
    public static String printable(String text) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(text.length(), LIMIT);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > limit) {
            out.append("...");
        }
        return out.toString();
    }
}
