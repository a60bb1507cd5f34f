package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.Login;
import io.rotor.domain.CredentialType;
import io.rotor.domain.PasswordGenerator;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.RotorMetrics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * On the real slapd: a rotation through the directory admin leaves a hashed {@code userPassword} (the connector
 * sends RFC 3062 Password Modify, so slapd hashes whatever its policy), and discovery reads 600 entries
 * although slapd's size limit for the admin is 500 (proved in the test: a plain search is cut off).
 */
class LdapHashedResetAndPagingIT {
    private static final String UID = "rotor_it_lr_reset";
    private static final String INITIAL = "Lr-Reset-Initial-pw-1";
    private static final String PAGING_OU = "ou=rotor_it_lr_paging";
    private static final int PAGED_ENTRIES = 600;

    private static LdapIt it;
    private static String pagingBase;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void setUp() throws Exception {
        it = new LdapIt();
        pagingBase = PAGING_OU + "," + it.ldap.baseDn();
        removePagingTree();
        try (LDAPConnection c = it.admin()) {
            c.add("dn: " + pagingBase, "objectClass: organizationalUnit", "ou: rotor_it_lr_paging");
            for (int i = 1; i <= PAGED_ENTRIES; i++) {
                String uid = "rotor_it_lr_p%04d".formatted(i);
                c.add("dn: uid=" + uid + "," + pagingBase, "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid,
                        "sn: rotor-it");
            }
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (it != null) {
            it.delete("uid=" + UID + "," + it.ldap.peopleDn());
            removePagingTree();
        }
    }

    private static void removePagingTree() throws Exception {
        try (LDAPConnection c = it.admin()) {
            List<String> children = new ArrayList<>();
            try {
                // below the 500 limit per search: delete in rounds
                while (true) {
                    children.clear();
                    SearchRequest one = new SearchRequest(pagingBase, SearchScope.ONE, "(objectClass=*)", "1.1");
                    one.setSizeLimit(400);
                    try {
                        for (SearchResultEntry e : c.search(one).getSearchEntries()) {
                            children.add(e.getDN());
                        }
                    } catch (com.unboundid.ldap.sdk.LDAPSearchException e) {
                        if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
                            throw e;
                        }
                        for (SearchResultEntry entry : e.getSearchEntries()) {
                            children.add(entry.getDN());
                        }
                    }
                    if (children.isEmpty()) {
                        break;
                    }
                    for (String dn : children) {
                        c.delete(dn);
                    }
                }
                c.delete(pagingBase);
            } catch (LDAPException e) {
                if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                    throw e;
                }
            }
        }
    }

    private static String userPassword(String dn) throws Exception {
        try (LDAPConnection c = it.admin()) {
            return c.getEntry(dn, "userPassword").getAttributeValue("userPassword");
        }
    }

    @Test
    void aRotationThroughTheAdminStoresAHashNeverTheClearText() throws Exception {
        String dn = it.person(UID, UID, INITIAL);
        Target target = new Target("rotor_it_lr_slapd", "ldap", it.ldap.host(), it.ldap.ldapsPort(), null,
                TlsMode.VERIFY_FULL, "rotor_it_lr_admin", null, Map.of("baseDn", it.ldap.peopleDn(), "usernameIs", "login",
                "tlsMethod", "ldaps", "trustStore", it.ldap.caFile().toString()));
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4);
             ConnectorRegistry registry = new ConnectorRegistry()) {
            registry.register(new LdapConnectorFactory());
            RotationService rotation = new RotationService(vault, registry, new PasswordGenerator(), new RotorMetrics(),
                    Duration.ofMinutes(5), 3);
            vault.targets().upsertTarget(target);
            vault.accounts().upsertAccount("rotor_it_lr_admin", target.id(), it.ldap.adminDn(), CredentialType.PASSWORD, null);
            vault.accounts().upsertAccount("rotor_it_lr_user", target.id(), UID, CredentialType.PASSWORD, null);
            rotation.set("rotor_it_lr_admin", Secret.of(it.ldap.adminPassword()), true, "test");
            rotation.set("rotor_it_lr_user", Secret.fromUtf8(INITIAL.getBytes(StandardCharsets.UTF_8)), true, "test");

            OperationResult rotated = rotation.rotate("rotor_it_lr_user", "test");

            assertThat(rotated.outcome()).as(rotated.detail()).isEqualTo(OperationResult.Outcome.SUCCEEDED);
            String now;
            try (StoredCredential current = vault.credentials().read("rotor_it_lr_user", Slot.CURRENT).orElseThrow()) {
                now = current.secret().reveal();
            }
            assertThat(now).isNotEqualTo(INITIAL);
            String stored = userPassword(dn);
            assertThat(stored).as("slapd stored a hash in its scheme syntax").startsWith("{").doesNotContain(now);
            assertThat(stored).isNotEqualTo(now);
            assertThat(it.binds(dn, now)).as("new password binds").isTrue();
            assertThat(it.binds(dn, INITIAL)).as("old password fails").isFalse();
        }
    }

    @Test
    void discoveryReadsPastSlapdsSizeLimitPageByPage() throws Exception {
        // the limit is in force for the admin: an unpaged search is cut off, so only paging can find all 600
        try (LDAPConnection c = it.admin()) {
            assertThatThrownBy(() -> c.search(pagingBase, SearchScope.SUB, "(uid=rotor_it_lr_p*)", "1.1"))
                    .isInstanceOfSatisfying(LDAPException.class,
                            e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.SIZE_LIMIT_EXCEEDED));
        }
        Target target = new Target("rotor_it_lr_paging", "ldap", it.ldap.host(), it.ldap.port(), null, TlsMode.VERIFY_FULL,
                null, null, Map.of("baseDn", pagingBase, "usernameIs", "login", "trustStore", it.ldap.caFile().toString(),
                "userFilter", "(objectClass=inetOrgPerson)"));
        Login admin = new Login(it.ldap.adminDn(), Secret.of(it.ldap.adminPassword()));
        try (LdapConnector connector = new LdapConnector(target)) {
            List<String> found = connector.discover(new DiscoverRequest(target, admin, "rotor_it_lr_p*")).usernames();
            assertThat(found).hasSize(PAGED_ENTRIES).doesNotHaveDuplicates()
                    .contains("rotor_it_lr_p0001", "rotor_it_lr_p0500", "rotor_it_lr_p0501", "rotor_it_lr_p0600");
        }
        Target capped = new Target("rotor_it_lr_paging", "ldap", it.ldap.host(), it.ldap.port(), null, TlsMode.VERIFY_FULL,
                null, null, Map.of("baseDn", pagingBase, "usernameIs", "login", "trustStore", it.ldap.caFile().toString(),
                "discoverSizeLimit", "550"));
        try (LdapConnector connector = new LdapConnector(capped)) {
            assertThatThrownBy(() -> connector.discover(new DiscoverRequest(capped, admin, "rotor_it_lr_p*")))
                    .hasMessageContaining("more than 550 entries").hasMessageContaining("discoverSizeLimit");
        }
    }
}
