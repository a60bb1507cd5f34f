package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.RDN;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Active Directory (PMP's "Windows Domain", type {@code activedirectory}) and Samba AD.
 *
 * <ul>
 *   <li>passwords are written to {@code unicodePwd} as the UTF-16LE bytes of the password in double quotes;
 *       AD accepts that only over an encrypted connection, so {@code tls disable} is refused;</li>
 *   <li>admin reset and reconcile: replace {@code unicodePwd}; self change: delete the old quoted value and
 *       add the new one in one modify (AD then applies history and minimum age);</li>
 *   <li>verify: a simple bind as the userPrincipalName or the DN;</li>
 *   <li>usernames ({@code usernameIs}): {@code login} (default: a sAMAccountName, or a userPrincipalName when
 *       it holds {@code @}; the bind name is {@code name@upnSuffix}, the suffix from setting
 *       {@code upnSuffix} or the DC parts of {@code baseDn}; the entry DN is looked up under {@code baseDn})
 *       or {@code dn}.</li>
 * </ul>
 */
public final class ActiveDirectoryConnector extends AbstractDirectoryConnector {
    public static final String TYPE = "activedirectory";
    static final String DEFAULT_FILTER = "(&(objectClass=user)(objectCategory=person))";

    private final String upnSuffix;

    public ActiveDirectoryConnector(Target target) {
        super(target, "sAMAccountName", DEFAULT_FILTER, UsernameForm.LOGIN);
        String suffix = target.setting("upnSuffix", null);
        this.upnSuffix = suffix == null || suffix.isBlank() ? domainOf(baseDn) : suffix.trim();
        if (usernameForm == UsernameForm.LOGIN && upnSuffix == null) {
            throw new IllegalArgumentException("target " + target.id()
                    + ": set upnSuffix, or a baseDn with dc= parts, to bind with login names");
        }
    }

    @Override
    protected void checkTlsAllowed(Target target) {
        if (target.tlsMode() == TlsMode.DISABLE) {
            throw new IllegalArgumentException("target " + target.id() + ": Active Directory accepts unicodePwd"
                    + " only over an encrypted connection; set tls to require or verify-full (tls disable is refused)");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    protected String bindName(String username) {
        if (usernameForm == UsernameForm.DN) {
            return LdapNames.userDn(username, baseDn).toString();
        }
        checkLoginName(username);
        return username.indexOf('@') >= 0 ? username : username + "@" + upnSuffix;
    }

    @Override
    protected DN entryDn(LDAPConnection connection, String username) throws LDAPException {
        if (usernameForm == UsernameForm.DN) {
            return LdapNames.userDn(username, baseDn);
        }
        checkLoginName(username);
        Filter filter = username.indexOf('@') >= 0
                ? LdapNames.equality("userPrincipalName", username)
                : Filter.createORFilter(LdapNames.equality(loginAttribute, username),
                LdapNames.equality("userPrincipalName", username + "@" + upnSuffix));
        return searchOne(connection, filter);
    }

    private static void checkLoginName(String username) {
        if (username.indexOf('=') >= 0 || username.indexOf(',') >= 0) {
            throw new IllegalArgumentException("a DN was given where the target expects a login name (usernameIs login)");
        }
    }

    @Override
    protected void adminSet(LDAPConnection connection, DN dn, Secret newSecret) throws LDAPException {
        byte[] value = unicodePwd(newSecret);
        try {
            connection.modify(new ModifyRequest(dn, new Modification(ModificationType.REPLACE, "unicodePwd", value)));
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    @Override
    protected void selfSet(LDAPConnection connection, DN dn, Secret current, Secret newSecret) throws LDAPException {
        byte[] old = unicodePwd(current);
        byte[] value = unicodePwd(newSecret);
        try {
            connection.modify(new ModifyRequest(dn,
                    new Modification(ModificationType.DELETE, "unicodePwd", old),
                    new Modification(ModificationType.ADD, "unicodePwd", value)));
        } finally {
            Arrays.fill(old, (byte) 0);
            Arrays.fill(value, (byte) 0);
        }
    }

    @Override
    protected List<String> secretForms(Secret secret) {
        String clear = secret.reveal();
        return List.of(clear, "\"" + clear + "\"");
    }

    /** The {@code unicodePwd} value: {@code "password"} (with the quotes) in UTF-16LE, without a BOM. */
    public static byte[] unicodePwd(Secret secret) {
        char[] chars = secret.chars();
        char[] quoted = new char[chars.length + 2];
        try {
            quoted[0] = '"';
            System.arraycopy(chars, 0, quoted, 1, chars.length);
            quoted[quoted.length - 1] = '"';
            ByteBuffer encoded = StandardCharsets.UTF_16LE.encode(CharBuffer.wrap(quoted));
            byte[] out = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
            Arrays.fill(encoded.array(), (byte) 0);
            return out;
        } finally {
            Arrays.fill(chars, '\0');
            Arrays.fill(quoted, '\0');
        }
    }

    /** "dc=corp,dc=example,dc=com" → "corp.example.com"; null when the DN has no dc parts. */
    static String domainOf(DN base) {
        if (base == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (RDN rdn : base.getRDNs()) {
            String[] names = rdn.getAttributeNames();
            if (names.length == 1 && names[0].toLowerCase(Locale.ROOT).equals("dc")) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(rdn.getAttributeValues()[0]);
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }
}
