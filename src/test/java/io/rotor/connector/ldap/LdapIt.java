package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import io.rotor.it.RealTargets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Test-side access to the real slapd, independent of the connector: plain UnboundID binds over LDAPS
 * (verified against the script's CA), and entries made and removed as the admin. Test entries are named
 * {@code uid=rotor_it_*,ou=people,...}.
 */
final class LdapIt {
    final RealTargets.Ldap ldap = RealTargets.ldap();

    LDAPConnection admin() throws Exception {
        LDAPConnection c = ldaps();
        c.bind(ldap.adminDn(), new String(ldap.adminPassword()));
        return c;
    }

    LDAPConnection ldaps() throws Exception {
        SSLUtil ssl = new SSLUtil(new PEMFileTrustManager(ldap.caFile().toFile()));
        return new LDAPConnection(ssl.createSSLSocketFactory(), ldap.host(), ldap.ldapsPort());
    }

    /** True when a fresh bind with this password succeeds, false on invalidCredentials. */
    boolean binds(String dn, String password) throws Exception {
        try (LDAPConnection c = ldaps()) {
            c.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    String person(String rdnValueEscaped, String uid, String password, String... extra) throws Exception {
        String dn = "uid=" + rdnValueEscaped + "," + ldap.peopleDn();
        delete(dn);
        try (LDAPConnection c = admin()) {
            List<String> lines = new java.util.ArrayList<>(List.of("dn: " + dn, "objectClass: inetOrgPerson",
                    "uid: " + uid, "cn: " + uid, "sn: rotor-it", "userPassword: " + password));
            lines.addAll(List.of(extra));
            c.add(lines.toArray(String[]::new));
        }
        return dn;
    }

    void policy(String cn, int minLength) throws Exception {
        String dn = "cn=" + cn + "," + ldap.policiesDn();
        delete(dn);
        try (LDAPConnection c = admin()) {
            c.add("dn: " + dn, "objectClass: pwdPolicy", "objectClass: device", "cn: " + cn,
                    "pwdAttribute: userPassword", "pwdMinLength: " + minLength, "pwdCheckQuality: 2",
                    "pwdInHistory: 3", "pwdAllowUserChange: TRUE", "pwdMustChange: FALSE");
        }
    }

    /** Gives the entry its own password policy (as the admin). */
    void usePolicy(String dn, String cn) throws Exception {
        try (LDAPConnection c = admin()) {
            c.modify("dn: " + dn, "changetype: modify", "replace: pwdPolicySubentry",
                    "pwdPolicySubentry: cn=" + cn + "," + ldap.policiesDn());
        }
    }

    void delete(String dn) throws Exception {
        try (LDAPConnection c = admin()) {
            c.delete(dn);
        } catch (LDAPException e) {
            if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                throw e;
            }
        }
    }

    /** Removes every rotor_it_* entry under ou=people. */
    void cleanUp() throws Exception {
        try (LDAPConnection c = admin()) {
            for (var entry : c.search(ldap.peopleDn(), SearchScope.ONE, "(uid=rotor_it_*)").getSearchEntries()) {
                c.delete(entry.getDN());
            }
        }
    }

    /** A self-signed CA certificate (PEM) that signed nothing slapd presents. */
    static Path wrongCa(Path dir) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path store = dir.resolve("wrong-ca.p12");
        Path pem = dir.resolve("wrong-ca.crt");
        run(List.of(keytool.toString(), "-genkeypair", "-alias", "wrong", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=Rotor IT wrong CA", "-ext", "bc:c", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "throwaway", "-keypass", "throwaway"));
        run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "wrong", "-keystore", store.toString(),
                "-storepass", "throwaway", "-file", pem.toString()));
        if (!Files.readString(pem).contains("BEGIN CERTIFICATE")) {
            throw new IOException("keytool did not write a PEM certificate");
        }
        return pem;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }
}
