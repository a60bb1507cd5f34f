package io.rotor.it;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import io.rotor.domain.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A first rotation of LDAP accounts the way a user runs it ({@code java -jar target/rotor.jar ...}) against the
 * real slapd: an inventory with {@code type: ldap} targets, a self-rotated account and one rotated through the
 * directory admin. Proven with plain binds over LDAPS outside Rotor: the new password binds, the old fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LdapFirstRotationIT {
    private static final String SELF_UID = "rotor_it_cli_self";
    private static final String ADMIN_UID = "rotor_it_cli_admin";
    private static final String SELF_INITIAL = "Cli-Self-Initial-pw-1";
    private static final String ADMIN_INITIAL = "Cli-Admin-Initial-pw-1";

    private static RealTargets.Ldap ldap;
    private static Path home;
    private static Path config;
    private static Path dataDir;
    private static RotorProcess rotor;
    private static String masterKey;

    @BeforeAll
    static void setUp() throws Exception {
        ldap = RealTargets.ldap();
        person(SELF_UID, SELF_INITIAL);
        person(ADMIN_UID, ADMIN_INITIAL);
        home = Files.createTempDirectory("rotor-ldap-first-");
        dataDir = home.resolve("data");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
        Files.writeString(home.resolve("inventory.yaml"), """
                targets:
                  - id: dir
                    type: ldap
                    host: %1$s
                    port: %2$d
                    tls: verify-full
                    settings:
                      baseDn: "%3$s"
                      usernameIs: login
                      trustStore: "%4$s"
                  - id: dir-admin
                    type: ldap
                    host: %1$s
                    port: %5$d
                    tls: verify-full
                    adminAccount: ldap-admin
                    settings:
                      baseDn: "%3$s"
                      usernameIs: login
                      tlsMethod: ldaps
                      trustStore: "%4$s"
                accounts:
                  - id: ldap-self
                    target: dir
                    username: %6$s
                  - id: ldap-by-admin
                    target: dir-admin
                    username: %7$s
                  - id: ldap-admin
                    target: dir-admin
                    username: "%8$s"
                    initialSecretEnv: ROTOR_IT_LDAP_ADMIN
                """.formatted(ldap.host(), ldap.port(), ldap.peopleDn(), ldap.caFile(), ldap.ldapsPort(), SELF_UID,
                ADMIN_UID, ldap.adminDn()));
        config = home.resolve("application.properties");
        Files.writeString(config, "rotor.inventory = " + home.resolve("inventory.yaml") + "\n"
                + "rotor.data-dir = " + dataDir + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("ROTOR_MASTER_KEY", masterKey);
        env.put("ROTOR_IT_LDAP_ADMIN", new String(ldap.adminPassword()));
        rotor = new RotorProcess(home, env);
        // only `serve` and `rotor inventory apply` read the inventory
        RotorProcess.Result applied = rotor.run("inventory", "apply", "--config", config.toString());
        assertThat(applied.exitCode()).as(applied.all()).isZero();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (ldap != null) {
            delete("uid=" + SELF_UID + "," + ldap.peopleDn());
            delete("uid=" + ADMIN_UID + "," + ldap.peopleDn());
        }
        TestDirs.delete(home);
    }

    private static LDAPConnection ldaps() throws Exception {
        return new LDAPConnection(new SSLUtil(new PEMFileTrustManager(ldap.caFile().toFile())).createSSLSocketFactory(),
                ldap.host(), ldap.ldapsPort());
    }

    private static LDAPConnection admin() throws Exception {
        LDAPConnection c = ldaps();
        c.bind(ldap.adminDn(), new String(ldap.adminPassword()));
        return c;
    }

    private static void person(String uid, String password) throws Exception {
        delete("uid=" + uid + "," + ldap.peopleDn());
        try (LDAPConnection c = admin()) {
            c.add("dn: uid=" + uid + "," + ldap.peopleDn(), "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid,
                    "sn: rotor-it", "userPassword: " + password);
        }
    }

    private static void delete(String dn) throws Exception {
        try (LDAPConnection c = admin()) {
            c.delete(dn);
        } catch (LDAPException e) {
            if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                throw e;
            }
        }
    }

    private static boolean binds(String uid, char[] password) throws Exception {
        try (LDAPConnection c = ldaps()) {
            c.bind("uid=" + uid + "," + ldap.peopleDn(), new String(password));
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    private RotorProcess.Result rotor(byte[] stdin, String... args) throws Exception {
        String[] withConfig = Stream.concat(Stream.of(args), Stream.of("--config", config.toString())).toArray(String[]::new);
        return rotor.run(stdin, withConfig);
    }

    private static char[] current(String accountId) {
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            return vault.secret(accountId, Slot.CURRENT).orElseThrow();
        }
    }

    @Test
    @Order(1)
    void aSelfRotationThroughTheCliChangesTheDirectoryPassword() throws Exception {
        RotorProcess.Result set = rotor((SELF_INITIAL + "\n").getBytes(StandardCharsets.UTF_8),
                "set", "--account", "ldap-self", "--value-stdin", "--vault-only");
        assertThat(set.exitCode()).as(set.all()).isZero();
        RotorProcess.Result verify = rotor(new byte[0], "verify", "--account", "ldap-self");
        assertThat(verify.exitCode()).as(verify.all()).isZero();

        RotorProcess.Result rotate = rotor(new byte[0], "rotate", "--account", "ldap-self");

        assertThat(rotate.exitCode()).as(rotate.all()).isZero();
        char[] now = current("ldap-self");
        assertThat(new String(now)).isNotEqualTo(SELF_INITIAL);
        assertThat(binds(SELF_UID, now)).as("new password binds").isTrue();
        assertThat(binds(SELF_UID, SELF_INITIAL.toCharArray())).as("old password fails").isFalse();
        assertThat(rotate.all()).doesNotContain(new String(now)).doesNotContain(SELF_INITIAL);
    }

    @Test
    @Order(2)
    void anAdminRotationThroughTheCliNeedsNoOldPassword() throws Exception {
        RotorProcess.Result rotate = rotor(new byte[0], "rotate", "--account", "ldap-by-admin");

        assertThat(rotate.exitCode()).as(rotate.all()).isZero();
        char[] now = current("ldap-by-admin");
        assertThat(binds(ADMIN_UID, now)).as("new password binds").isTrue();
        assertThat(binds(ADMIN_UID, ADMIN_INITIAL.toCharArray())).as("old password fails").isFalse();
        assertThat(rotate.all()).doesNotContain(new String(now));
    }
}
