package io.rotor.security;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attack: plant or edit a route file (code run inside the process that holds the master key) through a route
 * folder or file that is writable by others. The check refuses it, naming the path and the fix.
 */
class RouteFilesSecurityTest {
    @TempDir
    Path home;

    private Path routes;
    private Path yaml;
    private Path java;

    @BeforeEach
    void aCloneUnderUmask022() throws Exception {
        routes = Files.createDirectory(home.resolve("routes"));
        yaml = Files.writeString(routes.resolve("rotate-account.camel.yaml"), "- route: {}\n");
        java = Files.writeString(routes.resolve("Step.java"), "class Step {}\n");
        Files.setPosixFilePermissions(routes, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(yaml, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @Test
    void aFreshCloneIsAccepted() {
        assertThatCode(() -> RouteFiles.checkSafe(routes)).doesNotThrowAnyException();
    }

    @Test
    void aGroupWritableJavaRouteIsRefusedWithTheFix() throws Exception {
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rw-rw-r--"));

        assertThatThrownBy(() -> RouteFiles.checkSafe(routes)).isInstanceOf(UnsafeConfigurationException.class)
                .hasMessageContaining(java.toString()).hasMessageContaining("group")
                .hasMessageContaining("chmod go-w " + java);
    }

    @Test
    void aWorldWritableYamlRouteIsRefused() throws Exception {
        Files.setPosixFilePermissions(yaml, PosixFilePermissions.fromString("rw-r--rw-"));

        assertThatThrownBy(() -> RouteFiles.checkSafe(routes)).isInstanceOf(UnsafeConfigurationException.class)
                .hasMessageContaining(yaml.toString()).hasMessageContaining("others")
                .hasMessageContaining("chmod go-w " + yaml);
    }

    @Test
    void aWorldWritableRouteFolderIsRefused() throws Exception {
        // anyone could drop a new Pwn.java into it
        Files.setPosixFilePermissions(routes, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> RouteFiles.checkSafe(routes)).isInstanceOf(UnsafeConfigurationException.class)
                .hasMessageContaining("chmod go-w " + routes);
    }

    @Test
    void aRouteFileThatBelongsToAnotherUserIsRefused() throws Exception {
        UserPrincipal nobody;
        try {
            nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(java, nobody);
        } catch (Exception notRootOrNoSuchUser) {
            Assumptions.abort("cannot give a file to user nobody here: " + notRootOrNoSuchUser.getMessage());
            return;
        }

        assertThatThrownBy(() -> RouteFiles.checkSafe(routes)).isInstanceOf(UnsafeConfigurationException.class)
                .hasMessageContaining(java.toString()).hasMessageContaining("belongs to another user");
    }

    @Test
    void filesThatAreNotLoadedAreNotChecked() throws Exception {
        Path notes = Files.writeString(routes.resolve("NOTES.txt"), "scratch");
        Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-rw-rw-"));

        assertThatCode(() -> RouteFiles.checkSafe(routes)).doesNotThrowAnyException();
        assertThat(notes).exists();
    }
}
