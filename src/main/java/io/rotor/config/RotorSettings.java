package io.rotor.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * Rotor's own settings ({@code rotor.*}) read from the same properties the Camel engine reads: the defaults in
 * the jar, then {@code config/application.properties} under the {@link RotorHome home} (or {@code --config}), then
 * command-line overrides. Every relative path setting resolves against the home, never the current directory.
 * Secrets are never read from here: the vault database password, the master key and the HTTPS key store's
 * password come from environment variables.
 */
public final class RotorSettings {
    public static final String DEFAULTS_RESOURCE = "config/application.properties";

    private final Properties properties;
    private final RotorHome home;
    private final Path configFile;

    private RotorSettings(Properties properties, RotorHome home, Path configFile) {
        this.properties = properties;
        this.home = home;
        this.configFile = configFile;
    }

    /**
     * @param configFile {@code --config} (relative: under the home), or null for the home's optional
     *                   {@code config/application.properties}
     */
    public static RotorSettings load(RotorHome home, Path configFile, Map<String, String> overrides) {
        boolean explicit = configFile != null;
        Path file = explicit ? home.resolve(configFile) : home.defaultConfigFile();
        Properties properties = new Properties();
        try (InputStream defaults = RotorSettings.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (defaults != null) {
                properties.load(new java.io.InputStreamReader(defaults, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in defaults: " + e.getMessage(), e);
        }
        if (Files.isRegularFile(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read configuration file " + file + ": " + e.getMessage(), e);
            }
        } else if (explicit) {
            throw new IllegalArgumentException("configuration file " + file + " does not exist");
        }
        overrides.forEach((k, v) -> {
            if (v != null) {
                properties.setProperty(k, v);
            }
        });
        return new RotorSettings(properties, home, file);
    }

    public Properties asProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    /** The configuration file (absolute); it may not exist when it is the home's default. */
    public Path configFile() {
        return configFile;
    }

    public RotorHome home() {
        return home;
    }

    /** A path setting: absolute as given, relative under the home; {@code fallback} when unset. */
    public Path path(String key, String fallback) {
        String value = get(key, fallback);
        return value == null ? null : home.resolve(value);
    }

    public String get(String key, String fallback) {
        String value = properties.getProperty(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    public int getInt(String key, int fallback) {
        String value = get(key, null);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting " + key + " must be a whole number, not '" + value + "'");
        }
    }

    public Path dataDir() {
        return path("rotor.data-dir", "data");
    }

    public Path inventoryFile() {
        return path("rotor.inventory", "config/inventory.yaml");
    }

    public String vaultUrl() {
        return get("rotor.vault.url", null);
    }

    public String vaultUsername() {
        return get("rotor.vault.username", null);
    }

    public Path masterKeyFile() {
        Path configured = path("rotor.vault.key-file", null);
        return configured == null ? dataDir().resolve("master.key") : configured;
    }
}
