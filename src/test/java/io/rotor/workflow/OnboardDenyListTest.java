package io.rotor.workflow;

import io.rotor.connector.LoginFacts;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OnboardDenyListTest {

    private static OnboardDenyList denyList(String type, Map<String, String> settings, String... own) {
        return OnboardDenyList.of(new Target("t1", type, "localhost", 1, null, TlsMode.DISABLE, "t1-admin", null, settings),
                List.of(own));
    }

    private static OnboardDenyList denyList(String type, String... own) {
        return denyList(type, Map.of(), own);
    }

    @Test
    void anOrdinaryLoginIsOnboardedWithoutRemark() {
        OnboardDenyList.Decision d = denyList("postgresql", "rotor_admin").decide("app_reader", LoginFacts.NONE);

        assertThat(d.onboard()).isTrue();
        assertThat(d.reason()).isNull();
    }

    @Test
    void postgresSuperusersAndPrivilegedRolesAreRefusedWithWhatMakesThemPrivileged() {
        OnboardDenyList list = denyList("postgresql", "rotor_admin");

        OnboardDenyList.Decision superuser = list.decide("app_super", LoginFacts.privileges(Set.of("SUPERUSER")));
        OnboardDenyList.Decision replication = list.decide("app_repl", LoginFacts.privileges(Set.of("REPLICATION", "BYPASSRLS")));
        OnboardDenyList.Decision files = list.decide("app_files", LoginFacts.privileges(Set.of("member of pg_write_server_files")));

        assertThat(superuser.onboard()).isFalse();
        assertThat(superuser.reason()).startsWith("privileged on the target: SUPERUSER").contains("onboarding.allow");
        assertThat(replication.onboard()).isFalse();
        assertThat(replication.reason()).startsWith("privileged on the target: BYPASSRLS, REPLICATION");
        assertThat(files.onboard()).isFalse();
    }

    @Test
    void theBuiltInNamesOfEachTypeAreRefusedEvenWithoutDiscoveryFacts() {
        assertThat(denyList("postgresql").decide("postgres", null).reason()).startsWith("built-in PostgreSQL superuser");
        assertThat(denyList("postgresql").decide("pg_monitor", null).onboard()).isFalse();
        assertThat(denyList("mariadb").decide("root", null).onboard()).isFalse();
        assertThat(denyList("mariadb").decide("mysql.session", null).onboard()).isFalse();
        assertThat(denyList("mariadb").decide("mariadb.sys", null).onboard()).isFalse();
        assertThat(denyList("mysql").decide("debian-sys-maint", null).onboard()).isFalse();
        assertThat(denyList("ssh").decide("nobody", null).onboard()).isFalse();
        for (String name : List.of("Administrator", "krbtgt", "Guest", "DefaultAccount", "WDAGUtilityAccount",
                "krbtgt_12345", "WS01$", "CN=Administrator,CN=Users,DC=rotor,DC=test")) {
            assertThat(denyList("activedirectory").decide(name, null).onboard()).as(name).isFalse();
        }
        // a name is only built-in where it is: 'postgres' on MariaDB is an ordinary user
        assertThat(denyList("mariadb").decide("postgres", null).onboard()).isTrue();
        assertThat(denyList("activedirectory").decide("CN=Alice Admin,CN=Users,DC=rotor,DC=test", null).onboard()).isTrue();
    }

    @Test
    void unixRootSystemAccountsAndPlaceholdersAreRefusedByUid() {
        OnboardDenyList list = denyList("ssh", "rotoradm");

        assertThat(list.decide("toor", LoginFacts.uid(0)).reason()).startsWith("uid 0 (superuser)");
        assertThat(list.decide("www-data", LoginFacts.uid(33)).reason()).startsWith("system account (uid 33 < 1000)");
        assertThat(list.decide("sshd", LoginFacts.uid(999)).onboard()).isFalse();
        assertThat(list.decide("nfsnobody", LoginFacts.uid(65534)).onboard()).isFalse();
        assertThat(list.decide("overflow", LoginFacts.uid(4294967295L)).onboard()).isFalse();
        assertThat(list.decide("alice", LoginFacts.uid(1000)).onboard()).isTrue();
        assertThat(list.decide("bob", LoginFacts.uid(70000)).onboard()).isTrue();
    }

    @Test
    void aDiscoveredUnixLoginWithoutAUidIsRefusedSinceNothingShowsItIsOrdinary() {
        OnboardDenyList.Decision d = denyList("unix").decide("mystery", LoginFacts.NONE);

        assertThat(d.onboard()).isFalse();
        assertThat(d.reason()).startsWith("uid unknown");
        // a login already in the vault (not discovered in this run) is judged by name only
        assertThat(denyList("unix").decide("mystery", null).onboard()).isTrue();
    }

    @Test
    void theTargetsOwnAccountsAreRefusedAndTheAllowListCannotLetThemIn() {
        OnboardDenyList list = denyList("postgresql", Map.of(OnboardDenyList.ALLOW_SETTING, "rotor_admin;rotor_login"),
                "rotor_admin", "rotor_login");

        assertThat(list.decide("rotor_admin", LoginFacts.NONE).onboard()).isFalse();
        assertThat(list.decide("ROTOR_LOGIN", LoginFacts.NONE).reason()).startsWith("the target's own admin or login account");
    }

    @Test
    void theAllowListOfTheTargetOverridesTheOtherRulesAndTheDecisionSaysWhich() {
        OnboardDenyList list = denyList("postgresql", Map.of(OnboardDenyList.ALLOW_SETTING, " app_super ; postgres;"));

        OnboardDenyList.Decision d = list.decide("app_super", LoginFacts.privileges(Set.of("SUPERUSER")));
        assertThat(d.onboard()).isTrue();
        assertThat(d.reason()).isEqualTo("allowed by target setting onboarding.allow despite: privileged on the target: SUPERUSER");
        assertThat(list.decide("postgres", LoginFacts.privileges(Set.of("SUPERUSER"))).onboard()).isTrue();
        // only the names listed, and only on this target
        assertThat(list.decide("other_super", LoginFacts.privileges(Set.of("SUPERUSER"))).onboard()).isFalse();
        assertThat(denyList("postgresql").decide("app_super", LoginFacts.privileges(Set.of("SUPERUSER"))).onboard()).isFalse();
    }

    @Test
    void theAllowListIsSplitAtSemicolonsAndIgnoresEmptyEntries() {
        assertThat(OnboardDenyList.allowList(" a ;; B;")).containsExactly("a", "b");
        assertThat(OnboardDenyList.allowList(null)).isEmpty();
    }

    @Test
    void aFilterIsRequiredAndAWildcardOnlyFilterIsRefused() {
        Target bare = new Target("pg1", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null, Map.of());
        Target configured = new Target("pg2", "postgresql", "h", 1, null, TlsMode.DISABLE, null, null,
                Map.of(MassOnboard.DISCOVERY_FILTER, "app\\_%"));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MassOnboard.discoveryFilter(bare, null))
                .hasMessageContaining("discovery.filter").hasMessageContaining("discoveryFilter");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MassOnboard.discoveryFilter(bare, "%"))
                .hasMessageContaining("matches every login");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MassOnboard.discoveryFilter(configured, "%_ %"))
                .hasMessageContaining("matches every login");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MassOnboard.discoveryFilter(bare, "app\n%"))
                .hasMessageContaining("control characters");
        assertThat(MassOnboard.discoveryFilter(configured, null)).isEqualTo("app\\_%");
        assertThat(MassOnboard.discoveryFilter(configured, "ops%")).isEqualTo("ops%");
        assertThat(MassOnboard.discoveryFilter(bare, "ops%")).isEqualTo("ops%");
    }
}
