package io.rotor.connector.ssh;

import io.rotor.connector.Elevation;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Whose session an admin change runs in: never the rotated account's, whose owner controls its shell. */
class AdminPlanTest {
    private static final Login ROOT = new Login("root", Secret.of("r00t".toCharArray()));
    private static final Login OPS = new Login("rotor-ops", Secret.of("0ps".toCharArray()));

    private static Target target(String... settings) {
        Map<String, String> s = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            s.put(settings[i], settings[i + 1]);
        }
        return new Target("t", "ssh", "h", 22, null, TlsMode.DISABLE, "admin", null, s);
    }

    @Test
    void sudoRunsInTheAdminsOwnSession() {
        AdminPlan p = AdminPlan.of(target(), "bob", Secret.of("b".toCharArray()), ROOT, Elevation.NONE);
        assertThat(p.session()).isSameAs(ROOT);
        assertThat(p.changer()).isEqualTo(BuiltinChangers.UNIX_SUDO);
        assertThat(p.selfChange()).isFalse();
    }

    @Test
    void suRunsInTheLoginAccountsSessionNeverInTheRotatedAccounts() {
        AdminPlan p = AdminPlan.of(target("adminMethod", "su"), "bob", Secret.of("b".toCharArray()), ROOT,
                new Elevation(OPS, null));
        assertThat(p.session()).isSameAs(OPS);
        assertThat(p.session().username()).isNotEqualTo("bob");
        assertThat(p.changer()).isEqualTo(BuiltinChangers.UNIX_SU);
    }

    @Test
    void suWithoutALoginAccountLogsInAsTheAdminAndNeedsNoSu() {
        AdminPlan p = AdminPlan.of(target("adminMethod", "SU "), "bob", Secret.of("b".toCharArray()), ROOT, Elevation.NONE);
        assertThat(p.session()).isSameAs(ROOT);
        assertThat(p.changer()).isEqualTo(BuiltinChangers.UNIX_ROOT);
    }

    @Test
    void reconcileThroughSuWorksBecauseTheRotatedAccountsCredentialIsNotNeeded() {
        AdminPlan p = AdminPlan.of(target("adminMethod", "su"), "bob", null, ROOT, new Elevation(OPS, null));
        assertThat(p.isRefused()).isFalse();
        assertThat(p.session()).isSameAs(OPS);
    }

    @Test
    void theLoginAccountItselfChangesItsOwnPasswordInItsOwnSession() {
        Secret current = Secret.of("0ps".toCharArray());
        AdminPlan p = AdminPlan.of(target("adminMethod", "su", "changer", "Unix passwd (self)"), "rotor-ops", current,
                ROOT, new Elevation(OPS, null));
        assertThat(p.selfChange()).isTrue();
        assertThat(p.session().secret()).isSameAs(current);
        assertThat(p.changer()).isEqualTo(BuiltinChangers.UNIX_PASSWD);
        assertThat(AdminPlan.of(target("adminMethod", "su"), "rotor-ops", null, ROOT, new Elevation(OPS, null)).refusal())
                .contains("login account").contains("current credential is not known");
    }

    @Test
    void anAdminChangerSettingWinsAndAnUnknownMethodIsRefused() {
        assertThat(AdminPlan.of(target("adminChanger", "Cisco IOS"), "bob", null, ROOT, Elevation.NONE).changer())
                .isEqualTo("Cisco IOS");
        assertThat(AdminPlan.of(target("adminMethod", "doas"), "bob", null, ROOT, Elevation.NONE).refusal())
                .isEqualTo("target 't': adminMethod must be sudo or su, not 'doas'");
    }
}
