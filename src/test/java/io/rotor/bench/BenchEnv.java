package io.rotor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The real targets of {@code scripts/targets.sh}: {@code $ROTOR_IT_HOME/targets.env} (no secrets) and the 0600
 * {@code *.secret} files, read here so that no password is ever on a command line.
 */
public final class BenchEnv {
    private static final SecureRandom RANDOM = new SecureRandom();

    public final Path home;
    private final Map<String, String> values;

    private BenchEnv(Path home, Map<String, String> values) {
        this.home = home;
        this.values = values;
    }

    public static BenchEnv load() throws IOException {
        String dir = System.getenv().getOrDefault("ROTOR_IT_HOME", "/tmp/rotor-it");
        Path home = Path.of(dir);
        Path env = home.resolve("targets.env");
        if (!Files.isRegularFile(env)) {
            throw new IllegalStateException(env + " is missing: start the targets with scripts/targets.sh start");
        }
        return new BenchEnv(home, parse(Files.readString(env, StandardCharsets.UTF_8)));
    }

    /** KEY=VALUE lines; blank lines and # comments skipped. */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.indexOf('=') <= 0) {
                continue;
            }
            out.put(l.substring(0, l.indexOf('=')).strip(), l.substring(l.indexOf('=') + 1).strip());
        }
        return out;
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(key + " is not in " + home.resolve("targets.env"));
        }
        return v;
    }

    /** The first line of {@code $ROTOR_IT_HOME/<name>.secret}. */
    public String secret(String name) throws IOException {
        Path file = home.resolve(name + ".secret");
        return Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElseThrow().strip();
    }

    /** 32 random bytes, base64 (tokens, master keys). */
    public static String randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Writes a file readable by its owner only (created 0600 before anything is written). */
    public static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
