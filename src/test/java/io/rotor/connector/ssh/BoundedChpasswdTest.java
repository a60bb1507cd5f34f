package io.rotor.connector.ssh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue: a change whose outcome is unknown must become final on the target side. Every shipped changer that runs
 * chpasswd runs it under {@code timeout}, and that construct really ends a chpasswd that hangs (a stuck PAM stack),
 * shown with a stand-in chpasswd that never returns.
 */
class BoundedChpasswdTest {
    @TempDir
    Path dir;

    @Test
    void everyShippedChpasswdChangerBoundsTheCommand() {
        var chpasswdChangers = BuiltinChangers.all().stream()
                .filter(c -> c.commands().stream().anyMatch(s -> s.value().contains("chpasswd")))
                .toList();
        assertThat(chpasswdChangers).extracting(PasswordChanger::name)
                .containsExactlyInAnyOrder(BuiltinChangers.UNIX_SUDO, BuiltinChangers.UNIX_SU, BuiltinChangers.UNIX_ROOT);
        for (PasswordChanger changer : chpasswdChangers) {
            assertThat(changer.commands()).as(changer.name())
                    .anyMatch(s -> s.value().contains("head -n 1 | timeout -k 5 30 chpasswd"));
        }
    }

    @Test
    void theBoundEndsAHangingChpasswdAndReportsItsStatus() throws Exception {
        Path fake = dir.resolve("chpasswd");
        Path started = dir.resolve("started");
        Files.writeString(fake, "#!/bin/sh\necho $$ > " + started + "\nexec sleep 600\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
        // the shipped construct, with a 1 s bound instead of 30 s so that the test is quick
        String bounded = BuiltinChangers.BOUNDED_CHPASSWD.replace(" " + BuiltinChangers.CHANGE_BOUND_SECONDS + " ", " 1 ");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "head -n 1 | " + bounded + "; echo rotor-rc=$?");
        pb.environment().put("PATH", dir + ":" + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().write("someone:NotASecret1\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the pipeline ended").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("rotor-rc=124");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(15);
        long pid = Long.parseLong(Files.readString(started).trim());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the hanging chpasswd is gone").isFalse();
    }
}
