package io.rotor.domain;

/**
 * How free text from outside (a target's error message, an excerpt of a dialogue's transcript) is made fit for
 * the audit trail that auditors read, print and export, and for a log line: every control character is rendered as a visible escape and the text is cut
 * to a maximum length with a marker. A target cannot then rewrite a terminal that shows the trail (ANSI escape
 * sequences, a carriage return over a previous line), forge extra lines, reorder text with bidirectional controls,
 * or fill the table.
 *
 * <p>Escapes: {@code \n}, {@code \r}, {@code \t}; every other C0 character, DEL and every C1 character as
 * {@code \xNN}; bidirectional and line-separator format characters (U+200E, U+200F, U+2028 to U+202E,
 * U+2066 to U+2069) and a lone surrogate as {@code \\uNNNN}. The backslash itself is left alone, so existing
 * texts (LDAP DNs, Windows paths) read as before; an escape is therefore a rendering, not a reversible encoding.
 */
public final class VisibleText {
    /** Ends a text that was cut. */
    public static final String CUT_MARKER = " ...[cut]";

    private VisibleText() {
    }

    /** The text with control characters escaped and at most {@code max} characters long; null stays null. */
    public static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        if (max < CUT_MARKER.length()) {
            throw new IllegalArgumentException("max must be at least " + CUT_MARKER.length());
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
        int budget = max - CUT_MARKER.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String piece;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                piece = text.substring(i, i + 2);
            } else {
                piece = escape(c);
            }
            if (out.length() + piece.length() > budget && !fitsWhole(text, i, out.length(), max)) {
                return out.append(CUT_MARKER).toString();
            }
            out.append(piece);
            i += piece.length() == 2 && Character.isHighSurrogate(piece.charAt(0)) ? 1 : 0;
        }
        return out.toString();
    }

    /** Whether the rest of the text, from {@code from}, escaped, still fits in {@code max} after {@code used} characters. */
    private static boolean fitsWhole(String text, int from, int used, int max) {
        int length = used;
        for (int i = from; i < text.length(); i++) {
            length += escape(text.charAt(i)).length();
            if (length > max) {
                return false;
            }
        }
        return true;
    }

    /** One character as it is shown: itself, or a visible escape. */
    static String escape(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            return String.format("\\x%02x", (int) c);
        }
        if (c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                || Character.isSurrogate(c)) {
            return String.format("\\u%04x", (int) c);
        }
        return String.valueOf(c);
    }
}
