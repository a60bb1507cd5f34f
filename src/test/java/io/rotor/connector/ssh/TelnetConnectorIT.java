package io.rotor.connector.ssh;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Login;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Self-change over telnet on the real telnetd, proven by logins on the real sshd (same Linux accounts). */
class TelnetConnectorIT {
    static RealTargets.Ssh ssh;
    static SshLogins logins;

    @BeforeAll
    static void start() {
        ssh = RealTargets.load().ssh();
        if (ssh.telnetPort() == 0) {
            throw new IllegalStateException("targets.env has no TELNET_PORT: run scripts/targets.sh start");
        }
        logins = new SshLogins(ssh.host(), ssh.port(), ssh.knownHosts());
    }

    @AfterAll
    static void stop() {
        if (logins != null) {
            logins.close();
        }
    }

    static Target target() {
        return new Target("it-telnet", "telnet", ssh.telnetHost(), ssh.telnetPort(), null, TlsMode.DISABLE, null, null,
                Map.of("stepTimeoutSeconds", "15"));
    }

    @Test
    void selfChangeOverTelnetThenNewWorksAndOldFails() throws Exception {
        String user = ssh.users().get(7);
        char[] old = ("Old-tn-" + Long.toHexString(System.nanoTime())).toCharArray();
        ssh.setPassword(user, old);
        String next = SshConnectorIT.nasty();
        try (TelnetConnector c = new TelnetConnector(target())) {
            assertThat(c.verify(new VerifyRequest(c.target(), new Login(user, Secret.of(old.clone())))).outcome())
                    .isEqualTo(VerifyResult.Outcome.VALID);
            ChangeResult r = c.change(new ChangeRequest(c.target(), user, Secret.of(old.clone()), Secret.of(next.toCharArray()), null));
            assertThat(r.outcome()).as(r.detail() + "\n" + c.lastTranscript()).isEqualTo(ChangeResult.Outcome.CHANGED);
            assertThat(c.lastTranscript()).doesNotContain(next).doesNotContain(new String(old));
            assertThat(c.verify(new VerifyRequest(c.target(), new Login(user, Secret.of(old.clone())))).outcome())
                    .isEqualTo(VerifyResult.Outcome.REJECTED);
            assertThat(c.verify(new VerifyRequest(c.target(), new Login(user, Secret.of(next.toCharArray())))).outcome())
                    .isEqualTo(VerifyResult.Outcome.VALID);
        }
        assertThat(logins.login(user, next.toCharArray())).as("new password logs in (ssh)").isTrue();
        assertThat(logins.login(user, old)).as("old password is refused (ssh)").isFalse();
    }
}
