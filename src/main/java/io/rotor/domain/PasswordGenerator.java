package io.rotor.domain;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * Validates {@link PasswordPolicy PasswordPolicies} and generates passwords that satisfy them.
 *
 * <p>Thread-safe: the only state is one {@link SecureRandom}, which is itself safe for concurrent use.
 * Passwords are built in a {@code char[]}; rejected candidates are wiped and the result is handed to
 * {@link Secret#of(char[])} without a {@code String} copy.
 */
public final class PasswordGenerator {
    /** Bounds for {@code minLength} and {@code maxLength}. */
    public static final int MAX_LENGTH = 4096;
    /** How many candidates are drawn before a password that avoids the username is declared impossible. */
    public static final int MAX_DRAWS = 1000;
    /** Usernames shorter than this are not looked for in generated passwords. */
    public static final int MIN_USERNAME_CHECK_LENGTH = 3;

    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
    private static final String DIGITS = "0123456789";

    private final SecureRandom random;

    public PasswordGenerator() {
        this(new SecureRandom());
    }

    public PasswordGenerator(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Refuses a policy that no password can satisfy, or whose symbols could put unsafe characters into a
     * secret.
     *
     * @throws PasswordPolicyException naming the policy and the field at fault
     */
    public static void validate(PasswordPolicy p) {
        if (p == null) {
            throw new PasswordPolicyException(null, "policy", "no policy given");
        }
        String id = p.id();
        if (p.minLength() < 1 || p.minLength() > MAX_LENGTH) {
            throw new PasswordPolicyException(id, "minLength",
                    "minLength " + p.minLength() + " must be between 1 and " + MAX_LENGTH);
        }
        if (p.maxLength() < p.minLength()) {
            throw new PasswordPolicyException(id, "maxLength",
                    "maxLength " + p.maxLength() + " is below minLength " + p.minLength());
        }
        if (p.maxLength() > MAX_LENGTH) {
            throw new PasswordPolicyException(id, "maxLength",
                    "maxLength " + p.maxLength() + " exceeds " + MAX_LENGTH);
        }
        checkNotNegative(id, "minUpper", p.minUpper());
        checkNotNegative(id, "minLower", p.minLower());
        checkNotNegative(id, "minDigit", p.minDigit());
        checkNotNegative(id, "minSymbol", p.minSymbol());
        long sum = (long) p.minUpper() + p.minLower() + p.minDigit() + p.minSymbol();
        if (sum > p.maxLength()) {
            throw new PasswordPolicyException(id, "maxLength", "minUpper + minLower + minDigit + minSymbol = " + sum
                    + " exceeds maxLength " + p.maxLength());
        }
        checkSymbols(id, nullToEmpty(p.symbols()));

        Alphabet a = Alphabet.of(p);
        checkClass(id, "minUpper", p.minUpper(), a.upper, "upper-case letter");
        checkClass(id, "minLower", p.minLower(), a.lower, "lower-case letter");
        checkClass(id, "minDigit", p.minDigit(), a.digits, "digit");
        checkClass(id, "minSymbol", p.minSymbol(), a.symbols, "symbol");
        if (a.all.length == 0) {
            throw new PasswordPolicyException(id, "excluded",
                    "no character is allowed: every upper-case letter, lower-case letter, digit and symbol is excluded");
        }
    }

    /**
     * Generates a password for {@code username} (which may be null) that satisfies {@code p}.
     *
     * <p>The length is drawn uniformly from [max(minLength, sum of class minimums), maxLength]; the required
     * characters of each class are placed, the rest are drawn from the union of allowed characters, and the
     * whole is shuffled (Fisher–Yates).
     *
     * @throws PasswordPolicyException if the policy is unsatisfiable, or if {@code notContainUsername} is set
     *                                 and {@value #MAX_DRAWS} candidates all contained the username
     */
    public Secret generate(PasswordPolicy p, String username) {
        validate(p);
        Alphabet a = Alphabet.of(p);
        int sum = p.minUpper() + p.minLower() + p.minDigit() + p.minSymbol();
        int low = Math.max(p.minLength(), sum);
        boolean checkUsername = p.notContainUsername() && username != null
                && username.length() >= MIN_USERNAME_CHECK_LENGTH;
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            int length = low + random.nextInt(p.maxLength() - low + 1);
            char[] candidate = new char[length];
            int pos = 0;
            pos = place(candidate, pos, p.minUpper(), a.upper);
            pos = place(candidate, pos, p.minLower(), a.lower);
            pos = place(candidate, pos, p.minDigit(), a.digits);
            pos = place(candidate, pos, p.minSymbol(), a.symbols);
            place(candidate, pos, length - pos, a.all);
            shuffle(candidate);
            if (checkUsername && containsIgnoreCase(candidate, username)) {
                Arrays.fill(candidate, '\0');
                continue;
            }
            return Secret.of(candidate);
        }
        throw new PasswordPolicyException(p.id(), "notContainUsername", "the username cannot be avoided: "
                + MAX_DRAWS + " generated passwords all contained it (widen the alphabet or the length)");
    }

    private int place(char[] target, int from, int count, char[] alphabet) {
        for (int i = 0; i < count; i++) {
            target[from + i] = alphabet[random.nextInt(alphabet.length)];
        }
        return from + count;
    }

    private void shuffle(char[] chars) {
        for (int i = chars.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            char t = chars[i];
            chars[i] = chars[j];
            chars[j] = t;
        }
    }

    /** Case-insensitive search, done on the array so that the password never becomes a String. */
    static boolean containsIgnoreCase(char[] haystack, String needle) {
        int n = needle.length();
        for (int start = 0; start + n <= haystack.length; start++) {
            int i = 0;
            while (i < n && sameIgnoringCase(haystack[start + i], needle.charAt(i))) {
                i++;
            }
            if (i == n) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameIgnoringCase(char a, char b) {
        if (a == b) {
            return true;
        }
        char ua = Character.toUpperCase(a);
        char ub = Character.toUpperCase(b);
        return ua == ub || Character.toLowerCase(ua) == Character.toLowerCase(ub);
    }

    private static void checkNotNegative(String id, String field, int value) {
        if (value < 0) {
            throw new PasswordPolicyException(id, field, field + " " + value + " must not be negative");
        }
    }

    private static void checkSymbols(String id, String symbols) {
        boolean[] seen = new boolean[128];
        for (int i = 0; i < symbols.length(); i++) {
            char c = symbols.charAt(i);
            if (c == '\0' || c == '\r' || c == '\n') {
                throw new PasswordPolicyException(id, "symbols",
                        "symbols must not contain NUL, CR or LF (never allowed in a secret), found at index " + i);
            }
            if (c > 0x7E) {
                throw new PasswordPolicyException(id, "symbols",
                        "symbols must be printable ASCII, found a non-ASCII or DEL character at index " + i);
            }
            if (Character.isISOControl(c)) {
                throw new PasswordPolicyException(id, "symbols",
                        "symbols must not contain control characters, found one at index " + i);
            }
            if (Character.isLetterOrDigit(c)) {
                throw new PasswordPolicyException(id, "symbols",
                        "symbols must not contain letters or digits, found '" + c + "' at index " + i);
            }
            if (seen[c]) {
                throw new PasswordPolicyException(id, "symbols", "symbols lists '" + c + "' more than once");
            }
            seen[c] = true;
        }
    }

    private static void checkClass(String id, String field, int min, char[] alphabet, String what) {
        if (min > 0 && alphabet.length == 0) {
            throw new PasswordPolicyException(id, field, field + " is " + min + " but no " + what
                    + " is left after excluded is removed");
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** The allowed characters of each class, after {@code excluded} is removed. Not secret. */
    private static final class Alphabet {
        final char[] upper;
        final char[] lower;
        final char[] digits;
        final char[] symbols;
        final char[] all;

        private Alphabet(char[] upper, char[] lower, char[] digits, char[] symbols) {
            this.upper = upper;
            this.lower = lower;
            this.digits = digits;
            this.symbols = symbols;
            // the classes are disjoint (symbols hold no letters or digits, no duplicates): a plain
            // concatenation gives every allowed character the same weight
            this.all = (new String(upper) + new String(lower) + new String(digits) + new String(symbols)).toCharArray();
        }

        static Alphabet of(PasswordPolicy p) {
            String excluded = nullToEmpty(p.excluded());
            return new Alphabet(minus(UPPER, excluded), minus(LOWER, excluded), minus(DIGITS, excluded),
                    minus(nullToEmpty(p.symbols()), excluded));
        }

        private static char[] minus(String chars, String excluded) {
            StringBuilder kept = new StringBuilder(chars.length());
            for (int i = 0; i < chars.length(); i++) {
                if (excluded.indexOf(chars.charAt(i)) < 0) {
                    kept.append(chars.charAt(i));
                }
            }
            return kept.toString().toCharArray();
        }
    }
}
