package io.rotor.connector.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
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
import io.rotor.domain.UsernameRules;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The LDAP connector against UnboundID's in-memory directory (a test double for unit tests; the real
 * OpenLDAP server is in {@code LdapConnectorIT}). Every change is checked with a plain bind, independent of
 * the connector.
 */
class LdapConnectorTest {
    static final String BASE = "dc=rotor,dc=test";
    static final String PEOPLE = "ou=people," + BASE;
    static final String ADMIN = "cn=rotor-admin," + BASE;
    static final String ADMIN_PW = "admin-Pw-123456";

    private InMemoryDirectoryServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        config.addAdditionalBindCredentials(ADMIN, ADMIN_PW);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), freePort(), null));
        server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: domain", "dc: rotor");
        server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
        person("alice", "alice-Old-pw-1");
        person("bob", "bob-Old-pw-1");
        person("rotor_x", "x-Old-pw-1");
        server.startListening();
        port = server.getListenPort();
    }

    @AfterEach
    void stop() {
        server.shutDown(true);
    }

    /** A fixed port, so that a test can restart the server where the connector expects it. */
    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void person(String uid, String password) throws Exception {
        server.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid,
                "sn: " + uid, "userPassword: " + password);
    }

    private Target target(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("baseDn", PEOPLE, "userFilter", "(objectClass=inetOrgPerson)"));
        settings.putAll(extra);
        return new Target("dir", "ldap", "127.0.0.1", port, null, TlsMode.DISABLE, null, null, settings);
    }

    static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    /** A plain bind, not through the connector: true when accepted, false on invalidCredentials. */
    private boolean binds(String dn, String password) throws LDAPException {
        try (LDAPConnection c = new LDAPConnection("127.0.0.1", port)) {
            c.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    private static Login admin() {
        return new Login(ADMIN, s(ADMIN_PW));
    }

    @Test
    void verifyByBind() {
        Target t = target(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.verify(new VerifyRequest(t, new Login("uid=alice," + PEOPLE, s("alice-Old-pw-1")))).isValid()).isTrue();
            VerifyResult wrong = c.verify(new VerifyRequest(t, new Login("uid=alice," + PEOPLE, s("nope-nope-1"))));
            assertThat(wrong.outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
            assertThat(wrong.detail()).doesNotContain("nope-nope-1");
            assertThat(c.verify(new VerifyRequest(t, new Login("uid=alice," + PEOPLE, s("")))).outcome())
                    .as("an empty password is an unauthenticated bind, never a valid login")
                    .isEqualTo(VerifyResult.Outcome.REJECTED);
        }
    }

    @Test
    void selfChangeWithPasswordModify() throws Exception {
        Target t = target(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            String dn = "uid=alice," + PEOPLE;
            ChangeResult r = c.change(new ChangeRequest(t, dn, s("alice-Old-pw-1"), s("alice-New-pw-2"), null));
            assertThat(r).isEqualTo(ChangeResult.changed());
            assertThat(binds(dn, "alice-New-pw-2")).isTrue();
            assertThat(binds(dn, "alice-Old-pw-1")).isFalse();
            ChangeResult wrongOld = c.change(new ChangeRequest(t, dn, s("not-the-pw-1"), s("alice-New-pw-3"), null));
            assertThat(wrongOld.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(binds(dn, "alice-New-pw-2")).isTrue();
        }
    }

    @Test
    void selfChangeWithDeleteOldAddNewInLoginForm() throws Exception {
        Target t = target(Map.of("selfChangeMethod", "modify", "usernameIs", "login"));
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, "bob", s("bob-Old-pw-1"), s("bob-New-pw-2"), null)))
                    .isEqualTo(ChangeResult.changed());
            assertThat(binds("uid=bob," + PEOPLE, "bob-New-pw-2")).isTrue();
            assertThat(binds("uid=bob," + PEOPLE, "bob-Old-pw-1")).isFalse();
            assertThat(c.verify(new VerifyRequest(t, new Login("bob", s("bob-New-pw-2")))).isValid()).isTrue();
        }
    }

    @Test
    void adminResetAndReconcile() throws Exception {
        Target t = target(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            String dn = "uid=bob," + PEOPLE;
            assertThat(c.change(new ChangeRequest(t, dn, null, s("bob-Admin-set-2"), admin()))).isEqualTo(ChangeResult.changed());
            assertThat(binds(dn, "bob-Admin-set-2")).isTrue();
            assertThat(binds(dn, "bob-Old-pw-1")).isFalse();
            assertThat(c.reconcile(new ReconcileRequest(t, dn, s("bob-Reconciled-3"), admin()))).isEqualTo(ChangeResult.changed());
            assertThat(binds(dn, "bob-Reconciled-3")).isTrue();
            assertThat(binds(dn, "bob-Admin-set-2")).isFalse();
        }
    }

    @Test
    void adminPoolReconnectsAfterTheServerDroppedItsConnection() throws Exception {
        Target t = target(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            String dn = "uid=bob," + PEOPLE;
            assertThat(c.change(new ChangeRequest(t, dn, null, s("bob-Admin-set-2"), admin()))).isEqualTo(ChangeResult.changed());
            server.shutDown(true); // a server restart: the pooled connection is gone
            server.startListening();
            // the pool replaces the dropped connection by binding again with the admin's bind request: the
            // password it re-binds with must still be there
            assertThat(c.change(new ChangeRequest(t, dn, null, s("bob-Admin-set-3"), admin()))).isEqualTo(ChangeResult.changed());
            assertThat(binds(dn, "bob-Admin-set-3")).isTrue();
        }
    }

    @Test
    void wrongAdminPasswordIsRejectedBeforeAnythingIsSent() throws Exception {
        Target t = target(Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            ChangeResult r = c.change(new ChangeRequest(t, "uid=bob," + PEOPLE, null, s("bob-New-9"),
                    new Login(ADMIN, s("wrong-admin-pw"))));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("refused, nothing was changed").doesNotContain("wrong-admin-pw");
            assertThat(binds("uid=bob," + PEOPLE, "bob-Old-pw-1")).isTrue();
        }
    }

    @Test
    void injectionInUsernamesIsEscapedOrRefused() throws Exception {
        Target login = target(Map.of("usernameIs", "login"));
        Target dnForm = target(Map.of());
        try (LdapConnector byLogin = new LdapConnector(login); LdapConnector byDn = new LdapConnector(dnForm)) {
            // a login name with DN syntax stays one escaped RDN value: no such entry, nothing changed
            ChangeResult r = byLogin.change(new ChangeRequest(login, "bob,ou=people," + BASE, null, s("evil-Pw-123"), admin()));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            // (the in-memory server answers a Password Modify for a missing entry with unwillingToPerform)
            assertThat(r.detail()).containsAnyOf("no such entry", "unable to retrieve the DN for that user");
            // a DN outside baseDn is refused before anything is sent
            ChangeResult outside = byDn.change(new ChangeRequest(dnForm, "cn=rotor-admin," + BASE, null, s("evil-Pw-123"), admin()));
            assertThat(outside.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(outside.detail()).contains("not under");
            assertThat(byDn.change(new ChangeRequest(dnForm, "cn=x,dc=evil", null, s("evil-Pw-123"), admin())).detail())
                    .contains("not under");
            // a filter injection in discovery selects nothing extra
            assertThat(byLogin.discover(new DiscoverRequest(login, admin(), "*)(uid=*")).usernames()).isEmpty();
            assertThat(byLogin.discover(new DiscoverRequest(login, admin(), "rotor_*")).usernames()).containsExactly("rotor_x");
            assertThat(byDn.discover(new DiscoverRequest(dnForm, admin(), null)).usernames())
                    .containsExactly("uid=alice," + PEOPLE, "uid=bob," + PEOPLE, "uid=rotor_x," + PEOPLE);
            assertThat(binds("uid=bob," + PEOPLE, "bob-Old-pw-1")).isTrue();
            assertThat(binds(ADMIN, ADMIN_PW)).isTrue();
        }
    }

    @Test
    void anEntryWithSpecialCharactersInItsRdnIsFoundByItsLoginName() throws Exception {
        String uid = "o+k,a\\b";
        server.add("dn: uid=o\\+k\\,a\\\\b," + PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: x", "sn: x",
                "userPassword: special-Old-1");
        Target t = target(Map.of("usernameIs", "login"));
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, uid, null, s("special-New-2"), admin()))).isEqualTo(ChangeResult.changed());
            assertThat(c.verify(new VerifyRequest(t, new Login(uid, s("special-New-2")))).isValid()).isTrue();
            assertThat(binds("uid=o\\+k\\,a\\\\b," + PEOPLE, "special-New-2")).isTrue();
            assertThat(binds("uid=o\\+k\\,a\\\\b," + PEOPLE, "special-Old-1")).isFalse();
        }
    }

    @Test
    void startTlsRefusedByTheServerRefusesTheConnectionNeverClearText() throws Exception {
        Target t = new Target("dir", "ldap", "127.0.0.1", port, null, TlsMode.REQUIRE, null, null,
                Map.of("baseDn", PEOPLE, "tlsMethod", "starttls"));
        try (LdapConnector c = new LdapConnector(t)) {
            VerifyResult v = c.verify(new VerifyRequest(t, new Login("uid=alice," + PEOPLE, s("alice-Old-pw-1"))));
            assertThat(v.outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            assertThat(v.detail()).contains("StartTLS");
            ChangeResult r = c.change(new ChangeRequest(t, "uid=alice," + PEOPLE, s("alice-Old-pw-1"), s("alice-New-pw-2"), null));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("nothing was sent");
            assertThat(binds("uid=alice," + PEOPLE, "alice-Old-pw-1")).isTrue();
        }
    }

    @Test
    void ldapsToAPlainServerIsRefused() throws Exception {
        Target t = new Target("dir", "ldap", "127.0.0.1", port, null, TlsMode.REQUIRE, null, null,
                Map.of("baseDn", PEOPLE, "tlsMethod", "ldaps", "connectTimeoutSeconds", "3", "responseTimeoutSeconds", "3"));
        try (LdapConnector c = new LdapConnector(t)) {
            ChangeResult r = c.change(new ChangeRequest(t, "uid=alice," + PEOPLE, s("alice-Old-pw-1"), s("alice-New-pw-2"), null));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("nothing was sent");
            assertThat(binds("uid=alice," + PEOPLE, "alice-Old-pw-1")).isTrue();
        }
    }

    @Test
    void nothingListeningIsUnreachableForVerifyAndRejectedForChange() throws Exception {
        int free;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = socket.getLocalPort();
        }
        Target t = new Target("dir", "ldap", "127.0.0.1", free, null, TlsMode.DISABLE, null, null, Map.of());
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.verify(new VerifyRequest(t, new Login("uid=a,dc=x", s("pw-123456")))).outcome())
                    .isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            ChangeResult r = c.change(new ChangeRequest(t, "uid=a,dc=x", s("pw-123456"), s("pw-654321"), null));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).startsWith("target unreachable, nothing was sent");
        }
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new LdapConnector(target(Map.of("selfChangeMethod", "guess"))))
                .hasMessageContaining("selfChangeMethod");
        assertThatThrownBy(() -> new LdapConnector(new Target("d", "ldap", "h", 389, null, TlsMode.DISABLE, null, null,
                Map.of("usernameIs", "login")))).hasMessageContaining("baseDn");
        assertThatThrownBy(() -> new LdapConnector(new Target("d", "ldap", "h", 636, null, TlsMode.VERIFY_FULL, null, null,
                Map.of()))).hasMessageContaining("trustStore");
        assertThat(DirectoryTls.method(new Target("d", "ldap", "h", 636, null, TlsMode.REQUIRE, null, null, Map.of())))
                .isEqualTo(DirectoryTls.Method.LDAPS);
        assertThat(DirectoryTls.method(new Target("d", "ldap", "h", 389, null, TlsMode.REQUIRE, null, null, Map.of())))
                .isEqualTo(DirectoryTls.Method.STARTTLS);
    }

    @Test
    void usernameRulesForDirectories() {
        UsernameRules.check("ldap", "uid=John Smith\\+x,ou=people,dc=rotor,dc=test");
        UsernameRules.check("ldap", "alice");
        UsernameRules.check("activedirectory", "alice@corp.example.com");
        assertThatThrownBy(() -> UsernameRules.check("ldap", "*)(uid=*")).hasMessageContaining("login name");
        assertThatThrownBy(() -> UsernameRules.check("ldap", "alice\nuid=x")).hasMessageContaining("CR or LF");
        assertThatThrownBy(() -> UsernameRules.check("activedirectory", " alice")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> UsernameRules.check("ldap", "a\u0000b")).hasMessageContaining("NUL");
    }
}
