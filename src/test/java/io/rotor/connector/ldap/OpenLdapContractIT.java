package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import io.rotor.connector.ConnectorContract;
import io.rotor.connector.ConnectorFactory;
import io.rotor.connector.Login;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.BeforeAll;

import java.util.Arrays;
import java.util.Map;

/**
 * The connector contract on the real slapd (ppolicy on), over StartTLS with the certificate checked. The
 * class's entries live in an organizational unit of their own ({@code ou=rotor_it_cc}), under a password policy
 * of their own (minimum length {@value #MIN_LENGTH}), so that other tests' clean-ups of {@code ou=people} never
 * touch them.
 */
class OpenLdapContractIT extends ConnectorContract {
    private static final int MIN_LENGTH = 12;
    private final LdapIt it = new LdapIt();
    private final String ou = "ou=rotor_it_cc," + it.ldap.baseDn();
    private final String policy = "rotor_it_cc_policy";
    private final String prefix = "rotor_it_cc_" + runTag() + "_";

    @BeforeAll
    void makeOrganizationalUnit() throws Exception {
        removeAccounts();
        try (LDAPConnection c = it.admin()) {
            c.add("dn: " + ou, "objectClass: organizationalUnit", "ou: rotor_it_cc");
        }
        it.policy(policy, MIN_LENGTH);
    }

    @Override
    protected ConnectorFactory factory() {
        return new LdapConnectorFactory();
    }

    @Override
    protected String host() {
        return it.ldap.host();
    }

    @Override
    protected int port() {
        return it.ldap.port();
    }

    @Override
    protected Target target(String host, int port) {
        String t = Integer.toString(TIMEOUT_SECONDS);
        return new Target("it-slapd-contract", "ldap", host, port, null, TlsMode.VERIFY_FULL, null, null,
                Map.of("baseDn", ou, "trustStore", it.ldap.caFile().toString(),
                        "connectTimeoutSeconds", t, "responseTimeoutSeconds", t));
    }

    @Override
    protected String newAccount(String tag, String password) throws Exception {
        String uid = prefix + tag;
        try (LDAPConnection c = it.admin()) {
            c.add("dn: " + dn(uid), "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: rotor-it",
                    "userPassword: " + password, "pwdPolicySubentry: cn=" + policy + "," + it.ldap.policiesDn());
        }
        return dn(uid); // usernames are DNs (the connector's default form), as the admin's is
    }

    private String dn(String uid) {
        return "uid=" + uid + "," + ou;
    }

    @Override
    protected void removeAccounts() throws Exception {
        try (LDAPConnection c = it.admin()) {
            if (c.getEntry(ou) != null) {
                for (SearchResultEntry e : c.search(ou, com.unboundid.ldap.sdk.SearchScope.ONE, "(objectClass=*)").getSearchEntries()) {
                    c.delete(e.getDN());
                }
            }
        }
        it.delete(ou);
        it.delete("cn=" + policy + "," + it.ldap.policiesDn());
    }

    @Override
    protected Login admin() {
        return new Login(it.ldap.adminDn(), Secret.of(it.ldap.adminPassword()));
    }

    @Override
    protected boolean logsIn(String username, String password) throws Exception {
        return it.binds(username, password);
    }

    @Override
    protected String passwordState(String username) throws Exception {
        try (LDAPConnection c = it.admin()) {
            SearchResultEntry e = c.getEntry(username, "userPassword", "pwdChangedTime");
            return e == null ? null : Arrays.deepToString(e.getAttributeValueByteArrays("userPassword"))
                    + e.getAttributeValue("pwdChangedTime");
        }
    }

    /** Discovery selects on uid and answers DNs. */
    @Override
    protected String discoverFilter(String username) {
        return username.substring("uid=".length(), username.indexOf(','));
    }

    /** Shorter than the entries' policy allows: ppolicy refuses it (constraint violation). */
    @Override
    protected String rejectedCandidate() {
        return "Short-" + runTag();
    }
}
