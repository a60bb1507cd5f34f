package io.rotor.connector.ldap;

import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LDAP connector on the real OpenLDAP slapd of {@code scripts/targets.sh} (ppolicy on). Every rotation is
 * proven with plain UnboundID binds over LDAPS outside the connector: the new password binds, the old fails.
 */
class LdapConnectorIT {
    private static LdapIt it;
    private static Login admin;

    @BeforeAll
    static void setUp() throws Exception {
        it = new LdapIt();
        it.cleanUp();
        admin = new Login(it.ldap.adminDn(), Secret.of(it.ldap.adminPassword()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (it != null) {
            it.cleanUp();
            it.delete("cn=rotor_it_strict," + it.ldap.policiesDn());
        }
    }

    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    /** StartTLS on the ldap port, certificate and host name verified against the script's CA. */
    private static Target startTls(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("baseDn", it.ldap.peopleDn(),
                "trustStore", it.ldap.caFile().toString(), "userFilter", "(objectClass=inetOrgPerson)"));
        settings.putAll(extra);
        return new Target("slapd", "ldap", it.ldap.host(), it.ldap.port(), null, TlsMode.VERIFY_FULL, null, null, settings);
    }

    private static Target ldaps(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("baseDn", it.ldap.peopleDn(), "tlsMethod", "ldaps",
                "trustStore", it.ldap.caFile().toString()));
        settings.putAll(extra);
        return new Target("slapd", "ldap", it.ldap.host(), it.ldap.ldapsPort(), null, TlsMode.VERIFY_FULL, null, null, settings);
    }

    @Test
    void selfChangeWithPasswordModifyOverStartTls() throws Exception {
        String dn = it.person("rotor_it_self", "rotor_it_self", "Self-Initial-pw-1");
        Target t = startTls(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            ChangeResult r = c.change(new ChangeRequest(t, dn, s("Self-Initial-pw-1"), s("Self-Rotated-pw-2 \"'\\;"), null));
            assertThat(r).isEqualTo(ChangeResult.changed());
        }
        assertThat(it.binds(dn, "Self-Rotated-pw-2 \"'\\;")).as("new password binds").isTrue();
        assertThat(it.binds(dn, "Self-Initial-pw-1")).as("old password fails").isFalse();
    }

    @Test
    void selfChangeByDeleteOldAddNewInLoginForm() throws Exception {
        String dn = it.person("rotor_it_modify", "rotor_it_modify", "Modify-Initial-pw-1");
        Target t = startTls(Map.of("selfChangeMethod", "modify", "usernameIs", "login"));
        try (LdapConnector c = new LdapConnector(t)) {
            ChangeResult r = c.change(new ChangeRequest(t, "rotor_it_modify", s("Modify-Initial-pw-1"), s("Modify-Rotated-pw-2"), null));
            assertThat(r).isEqualTo(ChangeResult.changed());
            assertThat(c.verify(new VerifyRequest(t, new Login("rotor_it_modify", s("Modify-Rotated-pw-2")))).isValid()).isTrue();
        }
        assertThat(it.binds(dn, "Modify-Rotated-pw-2")).isTrue();
        assertThat(it.binds(dn, "Modify-Initial-pw-1")).isFalse();
    }

    @Test
    void adminResetAndReconcileOverLdaps() throws Exception {
        String dn = it.person("rotor_it_admin_reset", "rotor_it_admin_reset", "Reset-Initial-pw-1");
        Target t = ldaps(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, dn, null, s("Reset-By-Admin-pw-2"), admin))).isEqualTo(ChangeResult.changed());
            assertThat(it.binds(dn, "Reset-By-Admin-pw-2")).isTrue();
            assertThat(it.binds(dn, "Reset-Initial-pw-1")).isFalse();
            assertThat(c.reconcile(new ReconcileRequest(t, dn, s("Reset-Reconciled-pw-3"), admin))).isEqualTo(ChangeResult.changed());
        }
        assertThat(it.binds(dn, "Reset-Reconciled-pw-3")).isTrue();
        assertThat(it.binds(dn, "Reset-By-Admin-pw-2")).isFalse();
    }

    @Test
    void injectionInUsernamesDnsAndFiltersIsEscapedOrRefused() throws Exception {
        String special = it.person("rotor_it_o\\+k\\,a\\\\b", "rotor_it_o+k,a\\b", "Special-Initial-1");
        String victim = it.person("rotor_it_victim", "rotor_it_victim", "Victim-Initial-1");
        Target login = startTls(Map.of("usernameIs", "login"));
        Target dnForm = startTls(Map.of());
        try (LdapConnector byLogin = new LdapConnector(login); LdapConnector byDn = new LdapConnector(dnForm)) {
            // the login name with + , \ is one escaped RDN value and names exactly its own entry
            assertThat(byLogin.change(new ChangeRequest(login, "rotor_it_o+k,a\\b", null, s("Special-Rotated-2"), admin)))
                    .isEqualTo(ChangeResult.changed());
            assertThat(it.binds(special, "Special-Rotated-2")).isTrue();
            assertThat(it.binds(special, "Special-Initial-1")).isFalse();
            // a login name carrying DN syntax cannot reach another entry
            ChangeResult dnInLogin = byLogin.change(new ChangeRequest(login, "rotor_it_victim,ou=people,dc=rotor,dc=test",
                    null, s("Evil-pw-1234"), admin));
            assertThat(dnInLogin.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(dnInLogin.detail()).contains("no such entry");
            // a DN outside baseDn (the admin itself, another suffix) is refused before anything is sent
            assertThat(byDn.change(new ChangeRequest(dnForm, it.ldap.adminDn(), null, s("Evil-pw-1234"), admin)).detail())
                    .contains("not under");
            assertThat(byDn.change(new ChangeRequest(dnForm, "cn=x,dc=evil", null, s("Evil-pw-1234"), admin)).detail())
                    .contains("not under");
            // filter injection in discovery matches nothing; a real pattern matches what it should
            assertThat(byLogin.discover(new DiscoverRequest(login, admin, "*)(uid=*")).usernames()).isEmpty();
            assertThat(byLogin.discover(new DiscoverRequest(login, admin, "rotor_it_v*")).usernames())
                    .containsExactly("rotor_it_victim");
            assertThat(byDn.discover(new DiscoverRequest(dnForm, admin, "rotor_it_*")).usernames())
                    .contains(victim, special);
        }
        assertThat(it.binds(victim, "Victim-Initial-1")).isTrue();
        assertThat(it.binds(it.ldap.adminDn(), new String(it.ldap.adminPassword()))).isTrue();
    }

    @Test
    void aWrongTrustStoreIsRefusedNotDowngradedOnStartTlsAndLdaps(@TempDir Path dir) throws Exception {
        String dn = it.person("rotor_it_tls", "rotor_it_tls", "Tls-Initial-pw-1");
        Path wrong = LdapIt.wrongCa(dir);
        for (Target t : new Target[] {startTls(Map.of("trustStore", wrong.toString())),
                ldaps(Map.of("trustStore", wrong.toString()))}) {
            try (LdapConnector c = new LdapConnector(t)) {
                VerifyResult v = c.verify(new VerifyRequest(t, new Login(dn, s("Tls-Initial-pw-1"))));
                assertThat(v.outcome()).as(v.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
                ChangeResult self = c.change(new ChangeRequest(t, dn, s("Tls-Initial-pw-1"), s("Tls-Rotated-pw-2"), null));
                assertThat(self.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                assertThat(self.detail()).contains("nothing was sent");
                ChangeResult viaAdmin = c.change(new ChangeRequest(t, dn, null, s("Tls-Rotated-pw-3"), admin));
                assertThat(viaAdmin.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            }
        }
        assertThat(it.binds(dn, "Tls-Initial-pw-1")).isTrue();
        assertThat(it.binds(dn, "Tls-Rotated-pw-2")).isFalse();
        assertThat(it.binds(dn, "Tls-Rotated-pw-3")).isFalse();
    }

    @Test
    void ppolicyRejectionsAreRejectedAndChangeNothing() throws Exception {
        it.policy("rotor_it_strict", 64);
        String dn = it.person("rotor_it_strict_user", "rotor_it_strict_user", "Strict-Initial-pw-1");
        it.usePolicy(dn, "rotor_it_strict");
        Target t = startTls(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            ChangeResult self = c.change(new ChangeRequest(t, dn, s("Strict-Initial-pw-1"), s("Too-short-for-64-1"), null));
            assertThat(self.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(self.detail()).startsWith(LdapFailures.POLICY);
            ChangeResult byAdmin = c.change(new ChangeRequest(t, dn, null, s("Too-short-for-64-2"), admin));
            assertThat(byAdmin.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(byAdmin.detail()).startsWith(LdapFailures.POLICY);
        }
        assertThat(it.binds(dn, "Strict-Initial-pw-1")).isTrue();
        assertThat(it.binds(dn, "Too-short-for-64-1")).isFalse();
        assertThat(it.binds(dn, "Too-short-for-64-2")).isFalse();
    }

    @Test
    void passwordHistoryIsEnforcedAsAPolicyRejection() throws Exception {
        String dn = it.person("rotor_it_history", "rotor_it_history", "History-First-pw-1");
        Target t = startTls(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, dn, s("History-First-pw-1"), s("History-Second-pw-2"), null)))
                    .isEqualTo(ChangeResult.changed());
            ChangeResult back = c.change(new ChangeRequest(t, dn, s("History-Second-pw-2"), s("History-First-pw-1"), null));
            assertThat(back.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(back.detail()).startsWith(LdapFailures.POLICY);
        }
        assertThat(it.binds(dn, "History-Second-pw-2")).isTrue();
        assertThat(it.binds(dn, "History-First-pw-1")).isFalse();
    }
}
