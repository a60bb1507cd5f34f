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
 * the jar, then {@code config/application.properties}, then command-line overrides. Secrets are never read
 * from here: the vault database password and master key come from environment variables.
 */
public final class RotorSettings {
    public static final String DEFAULTS_RESOURCE = "config/application.properties";

    private final Properties properties;
    private final Path configFile;

    private RotorSettings(Properties properties, Path configFile) {
        this.properties = properties;
        this.configFile = configFile;
    }

    public static RotorSettings load(Path configFile, Map<String, String> overrides) {
        Properties properties = new Properties();
        try (InputStream defaults = RotorSettings.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (defaults != null) {
                properties.load(new java.io.InputStreamReader(defaults, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in defaults: " + e.getMessage(), e);
        }
        if (configFile != null && Files.isRegularFile(configFile)) {
            try (Reader reader = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read configuration file " + configFile + ": " + e.getMessage(), e);
            }
        } else if (configFile != null && !configFile.equals(Path.of("config", "application.properties"))) {
            throw new IllegalArgumentException("configuration file " + configFile + " does not exist");
        }
        overrides.forEach((k, v) -> {
            if (v != null) {
                properties.setProperty(k, v);
            }
        });
        return new RotorSettings(properties, configFile);
    }

    public Properties asProperties() {
        Properties copy = new Properties();
        copy.putAll(properties);
        return copy;
    }

    public Path configFile() {
        return configFile;
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
        return Path.of(get("rotor.data-dir", "data"));
    }

    public Path inventoryFile() {
        return Path.of(get("rotor.inventory", "config/inventory.yaml"));
    }

    public String vaultUrl() {
        return get("rotor.vault.url", null);
    }

    public String vaultUsername() {
        return get("rotor.vault.username", null);
    }

    public Path masterKeyFile() {
        String configured = get("rotor.vault.key-file", null);
        return configured == null ? dataDir().resolve("master.key") : Path.of(configured);
    }
}
