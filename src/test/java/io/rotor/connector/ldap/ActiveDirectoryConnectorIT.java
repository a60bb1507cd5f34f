package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
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
import io.rotor.it.RealTargets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Active Directory connector on the real Samba AD domain controller of {@code scripts/targets.sh}
 * (complexity on, minimum length 8, history 3). Every rotation is proven with plain UnboundID binds over
 * LDAPS outside the connector: the new password binds, the old one fails.
 */
class ActiveDirectoryConnectorIT {
    private static RealTargets.ActiveDirectory ad;
    private static Login admin;

    @BeforeAll
    static void setUp() throws Exception {
        ad = RealTargets.activeDirectory();
        admin = new Login(ad.adminUser(), Secret.of(ad.adminPassword()));
        cleanUp();
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (ad != null) {
            cleanUp();
        }
    }

    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    private static LDAPConnection ldaps() throws Exception {
        SSLUtil ssl = new SSLUtil(new PEMFileTrustManager(ad.caFile().toFile()));
        return new LDAPConnection(ssl.createSSLSocketFactory(), ad.host(), ad.ldapsPort());
    }

    private static LDAPConnection adminConnection() throws Exception {
        LDAPConnection c = ldaps();
        c.bind(ad.adminUser() + "@" + ad.upnSuffix(), new String(ad.adminPassword()));
        return c;
    }

    private static void cleanUp() throws Exception {
        try (LDAPConnection c = adminConnection()) {
            for (var e : c.search(ad.usersDn(), SearchScope.ONE, "(sAMAccountName=rotor_it_*)").getSearchEntries()) {
                c.delete(e.getDN());
            }
        }
    }

    /** A plain bind with the userPrincipalName, outside the connector. */
    private static boolean binds(String sam, String password) throws Exception {
        try (LDAPConnection c = ldaps()) {
            c.bind(sam + "@" + ad.upnSuffix(), password);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw e;
        }
    }

    private static String user(String sam, String password, int userAccountControl) throws Exception {
        String dn = "CN=" + sam + "," + ad.usersDn();
        try (LDAPConnection c = adminConnection()) {
            try {
                c.delete(dn);
            } catch (LDAPException e) {
                if (e.getResultCode() != ResultCode.NO_SUCH_OBJECT) {
                    throw e;
                }
            }
            c.add(new com.unboundid.ldap.sdk.Entry(dn,
                    new com.unboundid.ldap.sdk.Attribute("objectClass", "top", "person", "organizationalPerson", "user"),
                    new com.unboundid.ldap.sdk.Attribute("sAMAccountName", sam),
                    new com.unboundid.ldap.sdk.Attribute("userPrincipalName", sam + "@" + ad.upnSuffix())));
            try (Secret p = s(password)) {
                c.modify(dn, new Modification(ModificationType.REPLACE, "unicodePwd", ActiveDirectoryConnector.unicodePwd(p)),
                        new Modification(ModificationType.REPLACE, "userAccountControl", Integer.toString(userAccountControl)));
            }
        }
        return dn;
    }

    private static Target target(TlsMode mode, boolean ldaps, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of("baseDn", ad.usersDn(), "upnSuffix", ad.upnSuffix(),
                "trustStore", ad.caFile().toString(), "tlsMethod", ldaps ? "ldaps" : "starttls"));
        settings.putAll(extra);
        return new Target("samba", "activedirectory", ad.host(), ldaps ? ad.ldapsPort() : ad.ldapPort(), null, mode,
                null, null, settings);
    }

    @Test
    void adminResetAndReconcileWriteUnicodePwdOverLdaps() throws Exception {
        user("rotor_it_ad_reset", "Reset-Initial-1a!", 512);
        Target t = target(TlsMode.VERIFY_FULL, true, Map.of());
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(t)) {
            assertThat(c.change(new ChangeRequest(t, "rotor_it_ad_reset", null, s("Reset-By-Admin-2b! \"q\""), admin)))
                    .isEqualTo(ChangeResult.changed());
            assertThat(binds("rotor_it_ad_reset", "Reset-By-Admin-2b! \"q\"")).as("new binds").isTrue();
            assertThat(binds("rotor_it_ad_reset", "Reset-Initial-1a!")).as("old fails").isFalse();
            assertThat(c.reconcile(new ReconcileRequest(t, "rotor_it_ad_reset", s("Reset-Reconciled-3c!"), admin)))
                    .isEqualTo(ChangeResult.changed());
        }
        assertThat(binds("rotor_it_ad_reset", "Reset-Reconciled-3c!")).isTrue();
        assertThat(binds("rotor_it_ad_reset", "Reset-By-Admin-2b! \"q\"")).isFalse();
    }

    @Test
    void verifyMapsBadPasswordAndDisabledAccount() throws Exception {
        user("rotor_it_ad_verify", "Verify-Initial-1a!", 512);
        user("rotor_it_ad_disabled", "Disabled-Initial-1a!", 514);
        Target t = target(TlsMode.VERIFY_FULL, true, Map.of());
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(t)) {
            assertThat(c.verify(new VerifyRequest(t, new Login("rotor_it_ad_verify", s("Verify-Initial-1a!"))))).isEqualTo(VerifyResult.valid());
            String dn = "CN=rotor_it_ad_verify," + ad.usersDn();
            Target byDn = target(TlsMode.VERIFY_FULL, true, Map.of("usernameIs", "dn"));
            try (ActiveDirectoryConnector d = new ActiveDirectoryConnector(byDn)) {
                assertThat(d.verify(new VerifyRequest(byDn, new Login(dn, s("Verify-Initial-1a!"))))).isEqualTo(VerifyResult.valid());
            }
            VerifyResult wrong = c.verify(new VerifyRequest(t, new Login("rotor_it_ad_verify", s("Wrong-Password-9z!"))));
            assertThat(wrong.outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
            assertThat(wrong.detail()).contains("52e").doesNotContain("Wrong-Password-9z!");
            VerifyResult disabled = c.verify(new VerifyRequest(t, new Login("rotor_it_ad_disabled", s("Disabled-Initial-1a!"))));
            assertThat(disabled.outcome()).as(disabled.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            assertThat(disabled.detail()).contains("disabled (AD 533)");
        }
    }

    @Test
    void passwordPolicyRefusalsAreRejectedAndChangeNothing() throws Exception {
        user("rotor_it_ad_policy", "Policy-Initial-1a!", 512);
        Target t = target(TlsMode.VERIFY_FULL, true, Map.of());
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(t)) {
            ChangeResult tooShort = c.change(new ChangeRequest(t, "rotor_it_ad_policy", null, s("Ab1!"), admin));
            assertThat(tooShort.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(tooShort.detail()).startsWith(LdapFailures.POLICY).contains("052D");
            ChangeResult notComplex = c.change(new ChangeRequest(t, "rotor_it_ad_policy", s("Policy-Initial-1a!"),
                    s("alllowercaseletters"), null));
            assertThat(notComplex.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(notComplex.detail()).startsWith(LdapFailures.POLICY);
            assertThat(c.change(new ChangeRequest(t, "rotor_it_ad_policy", s("Policy-Initial-1a!"), s("Policy-Second-2b!"), null)))
                    .isEqualTo(ChangeResult.changed());
            ChangeResult history = c.change(new ChangeRequest(t, "rotor_it_ad_policy", s("Policy-Second-2b!"),
                    s("Policy-Initial-1a!"), null));
            assertThat(history.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(history.detail()).startsWith(LdapFailures.POLICY);
            ChangeResult wrongOld = c.change(new ChangeRequest(t, "rotor_it_ad_policy", s("Not-The-Current-3c!"),
                    s("Policy-Third-4d!"), null));
            assertThat(wrongOld.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(wrongOld.detail()).contains("refused");
        }
        assertThat(binds("rotor_it_ad_policy", "Policy-Second-2b!")).isTrue();
        assertThat(binds("rotor_it_ad_policy", "Ab1!")).isFalse();
        assertThat(binds("rotor_it_ad_policy", "alllowercaseletters")).isFalse();
        assertThat(binds("rotor_it_ad_policy", "Policy-Third-4d!")).isFalse();
    }

    @Test
    void clearTextIsRefusedAndAWrongTrustStoreIsNotDowngraded(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> new ActiveDirectoryConnector(target(TlsMode.DISABLE, false, Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only over an encrypted connection");
        user("rotor_it_ad_tls", "Tls-Initial-1a!", 512);
        Path wrong = LdapIt.wrongCa(dir);
        for (boolean ldaps : new boolean[] {true, false}) {
            Target t = target(TlsMode.VERIFY_FULL, ldaps, Map.of("trustStore", wrong.toString()));
            try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(t)) {
                assertThat(c.verify(new VerifyRequest(t, new Login("rotor_it_ad_tls", s("Tls-Initial-1a!")))).outcome())
                        .isEqualTo(VerifyResult.Outcome.UNREACHABLE);
                ChangeResult r = c.change(new ChangeRequest(t, "rotor_it_ad_tls", null, s("Tls-Rotated-2b!"), admin));
                assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
                assertThat(r.detail()).contains("nothing was sent");
            }
        }
        assertThat(binds("rotor_it_ad_tls", "Tls-Initial-1a!")).isTrue();
    }

    @Test
    void filterAndDnInjectionInLoginNamesIsEscapedOrRefused() throws Exception {
        user("rotor_it_ad_victim", "Victim-Initial-1a!", 512);
        Target t = target(TlsMode.VERIFY_FULL, true, Map.of());
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(t)) {
            ChangeResult star = c.change(new ChangeRequest(t, "rotor_it_ad_*", null, s("Evil-Password-1a!"), admin));
            assertThat(star.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(star.detail()).contains("no entry");
            ChangeResult filter = c.change(new ChangeRequest(t, "*)(sAMAccountName=*", null, s("Evil-Password-1a!"), admin));
            assertThat(filter.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            ChangeResult dn = c.change(new ChangeRequest(t, "CN=rotor_it_ad_victim," + ad.usersDn(), null, s("Evil-Password-1a!"), admin));
            assertThat(dn.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(dn.detail()).contains("login name");
            assertThat(c.discover(new DiscoverRequest(t, admin, "*)(sAMAccountName=*")).usernames()).isEmpty();
            assertThat(c.discover(new DiscoverRequest(t, admin, "rotor_it_ad_vic*")).usernames()).containsExactly("rotor_it_ad_victim");
        }
        assertThat(binds("rotor_it_ad_victim", "Victim-Initial-1a!")).isTrue();
    }
}
