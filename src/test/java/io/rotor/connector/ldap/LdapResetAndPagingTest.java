package io.rotor.connector.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedExtendedRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the connector sends for an admin reset (RFC 3062 Password Modify, never the clear text as a
 * {@code userPassword} value) and that discovery pages past a server's size limit, observed on UnboundID's
 * in-memory directory with an interceptor that records every request. The real slapd is in
 * {@code LdapHashedResetAndPagingIT}.
 */
class LdapResetAndPagingTest {
    static final String BASE = "dc=rotor,dc=test";
    static final String PEOPLE = "ou=people," + BASE;
    static final String ADMIN = "cn=rotor-admin," + BASE;
    static final String ADMIN_PW = "admin-Pw-123456";
    static final int SERVER_SIZE_LIMIT = 50;
    static final int PEOPLE_COUNT = 130;

    private final List<String> passwordModifies = new CopyOnWriteArrayList<>();
    private final List<String> userPasswordModifies = new CopyOnWriteArrayList<>();
    private final List<Integer> pageSizes = new CopyOnWriteArrayList<>();
    private InMemoryDirectoryServer server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        config.addAdditionalBindCredentials(ADMIN, ADMIN_PW);
        config.setMaxSizeLimit(SERVER_SIZE_LIMIT);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processExtendedRequest(InMemoryInterceptedExtendedRequest request) {
                if (request.getRequest().getOID().equals(PasswordModifyExtendedRequest.PASSWORD_MODIFY_REQUEST_OID)) {
                    try {
                        passwordModifies.add(String.valueOf(
                                new PasswordModifyExtendedRequest(request.getRequest()).getUserIdentity()));
                    } catch (Exception e) {
                        passwordModifies.add("undecodable");
                    }
                }
            }

            @Override
            public void processModifyRequest(InMemoryInterceptedModifyRequest request) {
                for (Modification m : request.getRequest().getModifications()) {
                    if (m.getAttributeName().equalsIgnoreCase("userPassword")) {
                        userPasswordModifies.add(request.getRequest().getDN());
                    }
                }
            }

            @Override
            public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
                if (!request.getRequest().getBaseDN().equalsIgnoreCase(PEOPLE)) {
                    return; // the pool's health check reads the root DSE
                }
                var control = request.getRequest().getControl(SimplePagedResultsControl.PAGED_RESULTS_OID);
                pageSizes.add(control == null ? -1 : pagedSize(control));
            }
        });
        server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: domain", "dc: rotor");
        server.add("dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people");
        for (int i = 1; i <= PEOPLE_COUNT; i++) {
            String uid = "rotor_p%04d".formatted(i);
            server.add("dn: uid=" + uid + "," + PEOPLE, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid,
                    "sn: " + uid, "userPassword: " + uid + "-Old-pw-1");
        }
        server.startListening();
        port = server.getListenPort();
    }

    private static int pagedSize(com.unboundid.ldap.sdk.Control control) {
        try {
            return new SimplePagedResultsControl(control.getOID(), control.isCritical(), control.getValue()).getSize();
        } catch (Exception e) {
            return -2;
        }
    }

    @AfterEach
    void stop() {
        server.shutDown(true);
    }

    private Target target(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("baseDn", PEOPLE, "userFilter", "(objectClass=inetOrgPerson)",
                "usernameIs", "login"));
        settings.putAll(extra);
        return new Target("dir", "ldap", "127.0.0.1", port, null, TlsMode.DISABLE, null, null, settings);
    }

    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    private static Login admin() {
        return new Login(ADMIN, s(ADMIN_PW));
    }

    private boolean binds(String dn, String password) {
        try (LDAPConnection c = new LDAPConnection("127.0.0.1", port)) {
            c.bind(dn, password);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void adminResetAndReconcileSendPasswordModifyNeverAUserPasswordValue() {
        Target t = target(Map.of());
        String dn = "uid=rotor_p0001," + PEOPLE;
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, "rotor_p0001", null, s("Reset-By-Admin-pw-2"), admin())))
                    .isEqualTo(ChangeResult.changed());
            assertThat(c.reconcile(new ReconcileRequest(t, "rotor_p0001", s("Reconciled-pw-3"), admin())))
                    .isEqualTo(ChangeResult.changed());
        }
        assertThat(passwordModifies).as("one RFC 3062 request naming the entry per reset").containsExactly(dn, dn);
        assertThat(userPasswordModifies).as("no modify carries the password as a userPassword value").isEmpty();
        assertThat(binds(dn, "Reconciled-pw-3")).isTrue();
        assertThat(binds(dn, "Reset-By-Admin-pw-2")).isFalse();
    }

    @Test
    void replaceIsOnlyUsedWhenConfiguredAndUnknownMethodsAreRefused() {
        Target t = target(Map.of("adminResetMethod", "replace"));
        try (LdapConnector c = new LdapConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, "rotor_p0002", null, s("Replaced-pw-2"), admin())))
                    .isEqualTo(ChangeResult.changed());
        }
        assertThat(userPasswordModifies).containsExactly("uid=rotor_p0002," + PEOPLE);
        assertThat(passwordModifies).isEmpty();
        assertThatThrownBy(() -> new LdapConnector(target(Map.of("adminResetMethod", "cleartext"))))
                .hasMessageContaining("adminResetMethod must be passwordModify or replace");
    }

    @Test
    void discoveryPagesPastTheServerSizeLimit() {
        Target t = target(Map.of("discoverPageSize", "20"));
        try (LdapConnector c = new LdapConnector(t)) {
            List<String> found = c.discover(new DiscoverRequest(t, admin(), "rotor_p*")).usernames();
            assertThat(found).hasSize(PEOPLE_COUNT).contains("rotor_p0001", "rotor_p0130").doesNotHaveDuplicates();
        }
        assertThat(pageSizes).as("every discovery search is paged").isNotEmpty().allMatch(size -> size == 20);
        assertThat(pageSizes).as("130 entries in pages of 20").hasSize(7);
    }

    @Test
    void aPageLargerThanTheServerLimitIsAClearError() {
        Target t = target(Map.of("discoverPageSize", "80"));
        try (LdapConnector c = new LdapConnector(t)) {
            assertThatThrownBy(() -> c.discover(new DiscoverRequest(t, admin(), "rotor_p*")))
                    .isInstanceOf(LdapConnectorException.class)
                    .hasMessageContaining("target dir").hasMessageContaining("size limit");
        }
    }

    @Test
    void moreMatchesThanTheCapIsAnErrorNamingTheSetting() {
        Target t = target(Map.of("discoverPageSize", "20", "discoverSizeLimit", "100"));
        try (LdapConnector c = new LdapConnector(t)) {
            assertThatThrownBy(() -> c.discover(new DiscoverRequest(t, admin(), "rotor_p*")))
                    .isInstanceOf(LdapConnectorException.class)
                    .hasMessageContaining("more than 100 entries").hasMessageContaining("discoverSizeLimit");
            // the connector stays usable after an abandoned paged search
            assertThat(c.discover(new DiscoverRequest(t, admin(), "rotor_p000*")).usernames()).hasSize(9);
        }
        assertThatThrownBy(() -> new LdapConnector(target(Map.of("discoverSizeLimit", "0"))))
                .hasMessageContaining("discoverSizeLimit must be at least 1");
    }
}
