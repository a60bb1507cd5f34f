package io.rotor.connector.jdbc;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Passwords for the real-target tests. Each one holds a single quote, a backslash and a space (the
 * characters that break naive quoting), one more symbol chosen round-robin so that the set covers every
 * printable ASCII symbol, and random printable ASCII filler.
 */
final class ItPasswords {
    /** Every printable ASCII character that is neither a letter nor a digit, space included. */
    static final String SYMBOLS = " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final String PRINTABLE;

    static {
        StringBuilder all = new StringBuilder();
        for (char c = 0x20; c < 0x7F; c++) {
            all.append(c);
        }
        PRINTABLE = all.toString();
    }

    private final SecureRandom random = new SecureRandom();
    private int next;

    /** A fresh password; successive calls walk through all of {@link #SYMBOLS}. */
    char[] next() {
        List<Character> chars = new ArrayList<>();
        for (char c : ("'\\ " + SYMBOLS.charAt(next++ % SYMBOLS.length())).toCharArray()) {
            chars.add(c);
        }
        chars.add((char) ('a' + random.nextInt(26)));
        chars.add((char) ('A' + random.nextInt(26)));
        chars.add((char) ('0' + random.nextInt(10)));
        for (int i = 0; i < 14; i++) {
            chars.add(PRINTABLE.charAt(random.nextInt(PRINTABLE.length())));
        }
        Collections.shuffle(chars, random);
        char[] out = new char[chars.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = chars.get(i);
        }
        return out;
    }

    /** Which of {@link #SYMBOLS} the given passwords contain, for the coverage assertion. */
    static String symbolsIn(List<char[]> passwords) {
        StringBuilder seen = new StringBuilder();
        for (char symbol : SYMBOLS.toCharArray()) {
            boolean found = passwords.stream().anyMatch(pw -> new String(pw).indexOf(symbol) >= 0);
            if (found) {
                seen.append(symbol);
            }
        }
        return seen.toString();
    }
}
