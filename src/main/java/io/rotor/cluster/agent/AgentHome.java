package io.rotor.cluster.agent;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * The agent's home: only its configuration ({@code agent.properties}: server, site, name, server pin) and its
 * credential ({@code agent.credential}, 0600). No operation, secret or target credential is ever written here
 * (docs/architecture.md, "Agents").
 */
public final class AgentHome {
    private final Path dir;

    public AgentHome(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    public Path dir() {
        return dir;
    }

    public boolean enrolled() {
        return Files.isRegularFile(dir.resolve("agent.credential")) && Files.isRegularFile(dir.resolve("agent.properties"));
    }

    public Properties config() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(dir.resolve("agent.properties"))) {
            p.load(in);
        }
        return p;
    }

    public String credential() throws IOException {
        return Files.readString(dir.resolve("agent.credential"), StandardCharsets.UTF_8).trim();
    }

    /** Writes the enrollment's outcome; the credential file is created 0600 before a byte is written to it. */
    public void store(Properties config, String credential) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Path file = dir.resolve("agent.credential");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, credential, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        try (Writer out = Files.newBufferedWriter(dir.resolve("agent.properties"))) {
            config.store(out, "Rotor agent (no secret here; the credential is in agent.credential)");
        }
    }
}
