package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/**
 * The connector contract on the real Samba AD domain controller (complexity on, minimum length 8), over StartTLS
 * with the certificate checked. The class's users live in an organizational unit of their own
 * ({@code OU=rotor_it_cc}) so that other tests' clean-ups of {@code CN=Users} never touch them;
 * sAMAccountName stays within AD's 20 characters.
 */
class SambaAdContractIT extends ConnectorContract {
    private final RealTargets.ActiveDirectory ad = RealTargets.activeDirectory();
    private final String ou = "OU=rotor_it_cc," + ad.baseDn();
    private final String prefix = "rotor_it_cc_" + runTag();

    @BeforeAll
    void makeOrganizationalUnit() throws Exception {
        removeAccounts();
        try (LDAPConnection c = adminConnection()) {
            c.add("dn: " + ou, "objectClass: top", "objectClass: organizationalUnit", "ou: rotor_it_cc");
        }
    }

    private LDAPConnection ldaps() throws Exception {
        SSLUtil ssl = new SSLUtil(new PEMFileTrustManager(ad.caFile().toFile()));
        return new LDAPConnection(ssl.createSSLSocketFactory(), ad.host(), ad.ldapsPort());
    }

    private LDAPConnection adminConnection() throws Exception {
        LDAPConnection c = ldaps();
        c.bind(ad.adminUser() + "@" + ad.upnSuffix(), new String(ad.adminPassword()));
        return c;
    }

    @Override
    protected ConnectorFactory factory() {
        return new ActiveDirectoryConnectorFactory();
    }

    @Override
    protected String host() {
        return ad.host();
    }

    @Override
    protected int port() {
        return ad.ldapPort();
    }

    @Override
    protected Target target(String host, int port) {
        String t = Integer.toString(TIMEOUT_SECONDS);
        return new Target("it-samba-contract", "activedirectory", host, port, null, TlsMode.VERIFY_FULL, null, null,
                Map.of("baseDn", ou, "upnSuffix", ad.upnSuffix(), "trustStore", ad.caFile().toString(),
                        "tlsMethod", "starttls", "connectTimeoutSeconds", t, "responseTimeoutSeconds", t));
    }

    @Override
    protected String newAccount(String tag, String password) throws Exception {
        String sam = prefix + tag;
        String dn = "CN=" + sam + "," + ou;
        try (LDAPConnection c = adminConnection()) {
            c.add(new com.unboundid.ldap.sdk.Entry(dn,
                    new com.unboundid.ldap.sdk.Attribute("objectClass", "top", "person", "organizationalPerson", "user"),
                    new com.unboundid.ldap.sdk.Attribute("sAMAccountName", sam),
                    new com.unboundid.ldap.sdk.Attribute("userPrincipalName", sam + "@" + ad.upnSuffix())));
            try (Secret p = s(password)) {
                c.modify(dn, new Modification(ModificationType.REPLACE, "unicodePwd", ActiveDirectoryConnector.unicodePwd(p)),
                        new Modification(ModificationType.REPLACE, "userAccountControl", "512"));
            }
        }
        return sam;
    }

    @Override
    protected void removeAccounts() throws Exception {
        try (LDAPConnection c = adminConnection()) {
            try {
                for (SearchResultEntry e : c.search(ou, SearchScope.ONE, "(objectClass=*)").getSearchEntries()) {
                    c.delete(e.getDN());
                }
                c.delete(ou);
            } catch (LDAPException e) {
                if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                    throw e;
                }
            }
        }
    }

    @Override
    protected Login admin() {
        return new Login(ad.adminUser(), Secret.of(ad.adminPassword()));
    }

    @Override
    protected boolean logsIn(String username, String password) throws Exception {
        try (LDAPConnection c = ldaps()) {
            c.bind(username + "@" + ad.upnSuffix(), password);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    @Override
    protected String passwordState(String username) throws Exception {
        try (LDAPConnection c = adminConnection()) {
            SearchResultEntry e = c.getEntry("CN=" + username + "," + ou, "pwdLastSet");
            return e == null ? null : e.getAttributeValue("pwdLastSet");
        }
    }

    /** Shorter than the domain's minimum length of 8: the DC refuses it (constraint violation). */
    @Override
    protected String rejectedCandidate() {
        return "Ab1!";
    }
}
