package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import java.util.Arrays;
import java.util.Locale;

/**
 * OpenLDAP, Oracle Internet Directory, eDirectory and generic LDAPv3 directories ({@code ldap}).
 *
 * <ul>
 *   <li>verify: a simple bind on a fresh connection;</li>
 *   <li>self change (setting {@code selfChangeMethod}): {@code passwordModify} (default; RFC 3062 extended
 *       operation with the old and the new password, the server hashes it and applies its policy) or
 *       {@code modify} (one modify: delete the old {@code userPassword} value, add the new one);</li>
 *   <li>admin reset and reconcile (setting {@code adminResetMethod}), bound as the admin DN:
 *       {@code passwordModify} (default; RFC 3062 extended operation naming the entry, the server hashes the
 *       new password per its own scheme, so it is never stored in clear even where a plain modify would be
 *       kept as sent) or {@code replace} (replace {@code userPassword}; only for servers without RFC 3062,
 *       and then the server's policy alone decides whether the value is hashed);</li>
 *   <li>usernames ({@code usernameIs}): {@code dn} (default: the entry's DN, which must lie under
 *       {@code baseDn} when that is set) or {@code login} (a value of {@code loginAttribute}, default
 *       {@code uid}; the entry is {@code loginAttribute=value,baseDn} with the value escaped per RFC 4514).</li>
 * </ul>
 */
public final class LdapConnector extends AbstractDirectoryConnector {
    public static final String TYPE = "ldap";
    static final String DEFAULT_FILTER = "(objectClass=*)";

    private final boolean passwordModify;
    private final boolean adminPasswordModify;

    public LdapConnector(Target target) {
        super(target, "uid", DEFAULT_FILTER, UsernameForm.DN);
        String method = target.setting("selfChangeMethod", "passwordModify").trim().toLowerCase(Locale.ROOT);
        this.passwordModify = switch (method) {
            case "passwordmodify" -> true;
            case "modify" -> false;
            default -> throw new IllegalArgumentException("target " + target.id()
                    + ": setting selfChangeMethod must be passwordModify or modify");
        };
        String reset = target.setting("adminResetMethod", "passwordModify").trim().toLowerCase(Locale.ROOT);
        this.adminPasswordModify = switch (reset) {
            case "passwordmodify" -> true;
            case "replace" -> false;
            default -> throw new IllegalArgumentException("target " + target.id()
                    + ": setting adminResetMethod must be passwordModify or replace");
        };
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    protected String bindName(String username) {
        return userDn(username).toString();
    }

    @Override
    protected DN entryDn(LDAPConnection connection, String username) {
        return userDn(username);
    }

    DN userDn(String username) {
        return usernameForm == UsernameForm.DN
                ? LdapNames.userDn(username, baseDn)
                : LdapNames.childDn(loginAttribute, username, baseDn);
    }

    @Override
    protected void adminSet(LDAPConnection connection, DN dn, Secret newSecret) throws LDAPException {
        byte[] value = newSecret.utf8();
        try {
            if (adminPasswordModify) {
                // no old password: an administrative reset of the named entry, hashed by the server
                passwordModify(connection, new PasswordModifyExtendedRequest(dn.toString(), null, value));
            } else {
                connection.modify(new ModifyRequest(dn, new Modification(ModificationType.REPLACE, "userPassword", value)));
            }
        } finally {
            Arrays.fill(value, (byte) 0);
        }
    }

    @Override
    protected void selfSet(LDAPConnection connection, DN dn, Secret current, Secret newSecret) throws LDAPException {
        byte[] old = current.utf8();
        byte[] value = newSecret.utf8();
        try {
            if (passwordModify) {
                passwordModify(connection, new PasswordModifyExtendedRequest((String) null, old, value)); // null: the bound account itself
            } else {
                connection.modify(new ModifyRequest(dn,
                        new Modification(ModificationType.DELETE, "userPassword", old),
                        new Modification(ModificationType.ADD, "userPassword", value)));
            }
        } finally {
            Arrays.fill(old, (byte) 0);
            Arrays.fill(value, (byte) 0);
        }
    }

    private static void passwordModify(LDAPConnection connection, PasswordModifyExtendedRequest request)
            throws LDAPException {
        ExtendedResult result = connection.processExtendedOperation(request);
        if (result.getResultCode() != ResultCode.SUCCESS) {
            throw new LDAPException(result);
        }
    }
}
