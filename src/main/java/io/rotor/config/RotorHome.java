package io.rotor.config;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Map;

/**
 * The directory Rotor reads its {@code config/}, {@code routes/} and {@code data/} from, and against which every
 * relative path setting resolves. Never the current directory: a command started from a folder someone else
 * controls must not run that folder's code or apply its inventory in a process that holds the master key.
 *
 * <p>Chosen, first match wins: {@code --home}, the system property {@code rotor.home}, the environment variable
 * {@code ROTOR_HOME}, then the directory above the one that holds {@code rotor.jar} ({@code target/rotor.jar} in a
 * checkout, so the repository root; {@code target/classes} when the classes run unpacked, as in the tests).
 */
public final class RotorHome {
    public static final String ENV_VARIABLE = "ROTOR_HOME";
    public static final String SYSTEM_PROPERTY = "rotor.home";

    private final Path dir;

    private RotorHome(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    /** A home that exists; relative {@code dir} is taken as given by the caller (the command line's own argument). */
    public static RotorHome of(Path dir) {
        RotorHome home = new RotorHome(dir);
        if (!Files.isDirectory(home.dir)) {
            throw new IllegalArgumentException("Rotor home " + home.dir + " is not a directory (set --home or "
                    + ENV_VARIABLE + ")");
        }
        return home;
    }

    /**
     * @param option      {@code --home}, or null
     * @param environment the process environment ({@code ROTOR_HOME})
     */
    public static RotorHome resolve(Path option, Map<String, String> environment) {
        if (option != null) {
            return of(option);
        }
        String property = System.getProperty(SYSTEM_PROPERTY);
        if (property != null && !property.isBlank()) {
            return of(Path.of(property.trim()));
        }
        String variable = environment.get(ENV_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return of(Path.of(variable.trim()));
        }
        return of(besideTheJar());
    }

    /** The directory above the jar's folder (or above the classes folder when not run from a jar). */
    static Path besideTheJar() {
        CodeSource source = RotorHome.class.getProtectionDomain().getCodeSource();
        Path code;
        try {
            code = source == null ? null : Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            code = null;
        }
        Path above = code == null || code.toAbsolutePath().getParent() == null ? null
                : code.toAbsolutePath().getParent().getParent();
        if (above == null) {
            throw new IllegalArgumentException("cannot tell where rotor.jar is installed; set --home or " + ENV_VARIABLE);
        }
        return above;
    }

    public Path dir() {
        return dir;
    }

    /** {@code path} when absolute, otherwise {@code path} under the home (never under the current directory). */
    public Path resolve(Path path) {
        return path.isAbsolute() ? path.normalize() : dir.resolve(path).normalize();
    }

    public Path resolve(String path) {
        return resolve(Path.of(path));
    }

    /** The workflow route files that {@code rotor serve} loads (when the folder exists). */
    public Path routes() {
        return dir.resolve("routes");
    }

    /** The configuration file read when {@code --config} is not given (optional). */
    public Path defaultConfigFile() {
        return dir.resolve("config").resolve("application.properties");
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
