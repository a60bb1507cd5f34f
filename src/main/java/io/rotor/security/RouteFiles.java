package io.rotor.security;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The route files {@code rotor serve} loads are code run inside the process that holds the master key. They are
 * loaded only when nobody but their owner can change them: the folder and every {@code *.camel.yaml} and
 * {@code *.java} file in it must not be writable by group or others, and must belong to the user running Rotor
 * (or to root). A fresh clone under umask 022 (0755 folders, 0644 files) passes.
 */
public final class RouteFiles {
    /** The patterns the engine loads from the folder (see {@code Engine.routesPattern}). */
    public static final String YAML_GLOB = "*.camel.yaml";
    public static final String JAVA_GLOB = "*.java";

    private RouteFiles() {
    }

    /** Throws {@link UnsafeConfigurationException} naming every unsafe path and the fix; does nothing off POSIX. */
    public static void checkSafe(Path folder) {
        List<String> problems = new ArrayList<>();
        check(folder, problems);
        for (String glob : List.of(YAML_GLOB, JAVA_GLOB)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, glob)) {
                for (Path file : files) {
                    check(file, problems);
                }
            } catch (IOException e) {
                throw new UnsafeConfigurationException("cannot list the route folder " + folder + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new UnsafeConfigurationException("refusing to load route files that others can change: "
                    + String.join("; ", problems));
        }
    }

    private static void check(Path path, List<String> problems) {
        PosixFileAttributes attributes;
        try {
            // follow links: what counts is the file the engine will read
            attributes = Files.readAttributes(path, PosixFileAttributes.class);
        } catch (UnsupportedOperationException notPosix) {
            return;
        } catch (IOException e) {
            problems.add(path + " cannot be read (" + e.getMessage() + ")");
            return;
        }
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            problems.add(path + " is writable by " + (permissions.contains(PosixFilePermission.OTHERS_WRITE) ? "others" : "its group")
                    + " (fix: chmod go-w " + path + ")");
        }
        Integer owner = uid(path);
        Long self = currentUid();
        if (owner != null && self != null && owner != 0 && owner.longValue() != self) {
            problems.add(path + " belongs to another user (uid " + owner + "; fix: chown it to the user running Rotor"
                    + " or to root)");
        }
    }

    private static Integer uid(Path path) {
        try {
            Object uid = Files.getAttribute(path, "unix:uid");
            return uid instanceof Integer i ? i : null;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return null;
        }
    }

    private static Long currentUid() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid();
        } catch (LinkageError | RuntimeException notUnix) {
            return null;
        }
    }
}
