package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;

import java.util.ArrayList;
import java.util.List;

/**
 * Building DNs and filters from untrusted values: values go through UnboundID's {@link RDN} (RFC 4514
 * escaping of {@code , + " \ < > ; #}, leading/trailing spaces...) and {@link Filter} factories (RFC 4515
 * escaping of {@code * ( ) \ NUL}); nothing is concatenated into a DN or filter string by hand.
 */
public final class LdapNames {
    private LdapNames() {
    }

    /** Parses a configured or given DN strictly; the message never repeats the value. */
    public static DN parseDn(String dn, String what) {
        if (dn == null || dn.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        try {
            DN parsed = new DN(dn);
            if (parsed.isNullDN()) {
                throw new IllegalArgumentException(what + " must not be the empty DN");
            }
            return parsed;
        } catch (LDAPException e) {
            throw new IllegalArgumentException(what + " is not a valid DN (RFC 4514)");
        }
    }

    /** {@code attribute=value,base} with {@code value} escaped as one RDN value. */
    public static DN childDn(String attribute, String value, DN base) {
        requireAttribute(attribute);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a login name must not be empty");
        }
        return new DN(new RDN(attribute, value), base);
    }

    /**
     * A DN given as the username: parsed strictly and, when {@code base} is set, required to lie under it
     * (so {@code cn=x,dc=evil} cannot name an entry outside the configured tree).
     */
    public static DN userDn(String username, DN base) {
        DN dn = parseDn(username, "username");
        if (base != null && !dn.isDescendantOf(base, false)) {
            throw new IllegalArgumentException("username DN is not under the target's baseDn");
        }
        return dn;
    }

    /** {@code (attribute=value)} with the value escaped. */
    public static Filter equality(String attribute, String value) {
        requireAttribute(attribute);
        return Filter.createEqualityFilter(attribute, value);
    }

    /**
     * A selection for discovery on {@code attribute}: {@code *} is a wildcard, every other character is
     * matched literally (escaped). Null or blank selects everything ({@code (attribute=*)}).
     */
    public static Filter selection(String attribute, String pattern) {
        requireAttribute(attribute);
        if (pattern == null || pattern.isBlank() || pattern.equals("*")) {
            return Filter.createPresenceFilter(attribute);
        }
        if (pattern.indexOf('*') < 0) {
            return Filter.createEqualityFilter(attribute, pattern);
        }
        String[] parts = pattern.split("\\*", -1);
        String initial = parts[0].isEmpty() ? null : parts[0];
        String fin = parts[parts.length - 1].isEmpty() ? null : parts[parts.length - 1];
        List<String> any = new ArrayList<>();
        for (int i = 1; i < parts.length - 1; i++) {
            if (!parts[i].isEmpty()) {
                any.add(parts[i]);
            }
        }
        return Filter.createSubstringFilter(attribute, initial, any.toArray(String[]::new), fin);
    }

    /** Parses an operator-configured filter (target setting); refuses what is not valid RFC 4515. */
    public static Filter configuredFilter(String filter, String fallback) {
        String text = filter == null || filter.isBlank() ? fallback : filter;
        try {
            return Filter.create(text);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("target setting userFilter is not a valid LDAP filter (RFC 4515)");
        }
    }

    static void requireAttribute(String attribute) {
        if (attribute == null || !attribute.matches("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+")) {
            throw new IllegalArgumentException("not an LDAP attribute name");
        }
    }
}
