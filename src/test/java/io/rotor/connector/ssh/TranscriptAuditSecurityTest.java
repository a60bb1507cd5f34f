package io.rotor.connector.ssh;

import io.rotor.connector.ssh.DialogueEngineTest.ScriptedDevice;
import io.rotor.domain.Secret;
import io.rotor.vault.AuditLog;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static io.rotor.connector.ssh.ChangerStep.expected;
import static io.rotor.connector.ssh.ChangerStep.input;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attack: a target (or whoever controls its shell) prints the secret Rotor just typed, in clear and encoded, plus
 * ANSI escape sequences and a megabyte of output, so that the failed dialogue's transcript carries them into the
 * audit trail, where an auditor's terminal would run the escapes and the table would fill. The audit row must hold
 * no form of the secret, no control character, and stay within the column size.
 */
class TranscriptAuditSecurityTest {
    private static final String NEW_SECRET = "N3w p@ss/+\"\u00e9";
    private static final String OLD_SECRET = "0ld-pw";

    @TempDir
    Path dataDir;

    @Test
    void aFailedDialoguesAuditRowHasNoSecretNoControlCharacterAndIsCapped() {
        byte[] utf8 = NEW_SECRET.getBytes(StandardCharsets.UTF_8);
        // what the transcript keeps is bounded (64 KiB), so the secret and the escapes come before the blob
        String hostile = "\u001b[2J\u001b]0;pwned\u0007\r"
                + "echo: " + NEW_SECRET + "\n"
                + "url: " + URLEncoder.encode(NEW_SECRET, StandardCharsets.UTF_8) + "\n"
                + "b64: " + Base64.getEncoder().encodeToString(utf8) + "\n"
                + "hex: " + HexFormat.of().formatHex(utf8) + "\n"
                + "old: " + OLD_SECRET + "\u001b[31m red\u001b[0m\u0008\u0008\u0000\n"
                + "\u001b".repeat(600) + "\n"
                + "A".repeat(1_000_000) + "\n$ ";
        ScriptedDevice device = new ScriptedDevice("$ ", hostile);
        Placeholders values = new Placeholders().plain("account_login", "alice")
                .secret("account_secret", Secret.of(OLD_SECRET.toCharArray()))
                .secret("account_new_secret", Secret.of(NEW_SECRET.toCharArray()));
        DialogueResult result = new DialogueEngine(Duration.ofMillis(300)).run(DialogueEngineTest.changer(
                input("%%account_login%%:%%account_new_secret%%"), expected("password updated")), values, device);
        assertThat(result.completed()).isFalse();

        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2)) {
            ChangerCatalog catalog = new ChangerCatalog(vault.changers());
            catalog.recordFailure("rotor_it_hr_box", "alice", "t", result.error(), result.transcript());

            List<AuditRecord> rows = vault.audit().trail(null, 10).stream()
                    .filter(a -> a.operation().equals("CHANGER_FAILED")).toList();
            assertThat(rows).hasSize(1);
            String detail = rows.get(0).detail();
            assertThat(detail.length()).isLessThanOrEqualTo(AuditLog.DETAIL_MAX);
            assertThat(detail).as("the row still says what went wrong").contains("expected /password updated/")
                    .contains("echo: " + io.rotor.connector.Redactor.MASK).contains("b64: " + io.rotor.connector.Redactor.MASK);
            assertThat(detail).as("cut with a marker").endsWith(io.rotor.domain.VisibleText.CUT_MARKER);
            for (String form : io.rotor.connector.Redactor.forms(NEW_SECRET)) {
                assertThat(detail).doesNotContain(form);
            }
            assertThat(detail).doesNotContain(OLD_SECRET).doesNotContain("p@ss");
            assertThat(detail.chars().filter(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)).count())
                    .as("control characters in the audit row").isZero();
            assertThat(detail).contains("\\x1b[31m").contains("\\n");
        }
    }
}
