package io.rotor.connector.ssh;

import io.rotor.it.RealTargets;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A "fresh login with the new password" must prove the password. The OS user that runs Rotor has a key in
 * {@code ~/.ssh} (a default identity, and one named by {@code ~/.ssh/config}) that opens the target account. A
 * plain MINA default client then logs in with any password; Rotor's connector must not. Run in a child JVM whose
 * {@code user.home} is a temporary directory, so that the real {@code ~/.ssh} of the machine is never touched.
 */
class SshIdentitySecurityIT {
    @TempDir
    Path home;

    @Test
    void aKeyInTheOsUsersSshDirectoryNeverStandsInForThePasswordUnderTest() throws Exception {
        RealTargets.Ssh ssh = RealTargets.load().ssh();
        String user = ssh.users().get(5);
        char[] right = ("Pw-" + HexFormat.of().formatHex(SshConnectorIT.random(8))).toCharArray();
        ssh.setPassword(user, right);

        KeyPair defaultKey = SshKeys.generate("ed25519");
        KeyPair configKey = SshKeys.generate("ecdsa");
        Path dotSsh = Files.createDirectories(home.resolve(".ssh"));
        writePrivateKey(defaultKey, dotSsh.resolve("id_ed25519"));
        writePrivateKey(configKey, dotSsh.resolve("ops_key"));
        Files.writeString(dotSsh.resolve("config"), "Host *\n  IdentityFile " + dotSsh.resolve("ops_key") + "\n");

        Path keys = Path.of("/home", user, ".ssh", "authorized_keys");
        String before = Files.exists(keys) ? Files.readString(keys) : null;
        try {
            ssh.setAuthorizedKeys(user, SshKeys.publicLine(defaultKey) + " os-user-default\n"
                    + SshKeys.publicLine(configKey) + " os-user-config\n", "700");
            List<String> lines = probe(ssh, user, "wrong-" + HexFormat.of().formatHex(SshConnectorIT.random(4)), new String(right));
            assertThat(lines).as("premise: a default client gets in by key with a wrong password")
                    .contains("default-client=LOGGED_IN");
            assertThat(lines).contains("connector-wrong=REJECTED").contains("connector-right=VALID");
        } finally {
            if (before == null) {
                Files.deleteIfExists(keys);
            } else {
                ssh.setAuthorizedKeys(user, before, "700");
            }
        }
    }

    private static void writePrivateKey(KeyPair kp, Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(kp, "os-user", null, out);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private List<String> probe(RealTargets.Ssh ssh, String user, String wrong, String right) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"),
                IdentityProbe.class.getName(), ssh.host(), Integer.toString(ssh.port()), ssh.knownHosts().toString(), user)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((wrong + "\n" + right + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        return out.lines().toList();
    }
}
