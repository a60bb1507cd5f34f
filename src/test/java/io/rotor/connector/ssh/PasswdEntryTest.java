package io.rotor.connector.ssh;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** SSH discovery's reading of {@code getent passwd | cut -d: -f1,3}: the name and the uid the deny-list judges. */
class PasswdEntryTest {

    @Test
    void aLineGivesTheNameAndTheUid() {
        assertThat(SshConnector.PasswdEntry.parse("root:0")).isEqualTo(new SshConnector.PasswdEntry("root", 0L));
        assertThat(SshConnector.PasswdEntry.parse("alice:1001\r")).isEqualTo(new SshConnector.PasswdEntry("alice", 1001L));
    }

    @Test
    void aMissingOrStrangeUidIsUnknownNeverOrdinary() {
        assertThat(SshConnector.PasswdEntry.parse("bob").uid()).isNull();
        assertThat(SshConnector.PasswdEntry.parse("bob:").uid()).isNull();
        assertThat(SshConnector.PasswdEntry.parse("bob:-1").uid()).isNull();
        assertThat(SshConnector.PasswdEntry.parse("bob:1000:extra").uid()).isNull();
        assertThat(SshConnector.PasswdEntry.parse("bob:99999999999").uid()).isNull();
    }

    @Test
    void anEmptyLineIsNoEntry() {
        assertThat(SshConnector.PasswdEntry.parse("   ")).isNull();
        assertThat(SshConnector.PasswdEntry.parse(":0")).isNull();
    }
}
