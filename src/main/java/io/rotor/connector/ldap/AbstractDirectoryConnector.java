package io.rotor.connector.ldap;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.DiscoverRequest;
import io.rotor.connector.DiscoverResult;
import io.rotor.connector.Login;
import io.rotor.connector.ReconcileRequest;
import io.rotor.connector.TargetConnector;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.connector.ldap.LdapFailures.Phase;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What the LDAP and Active Directory connectors share: connections (TLS per {@link DirectoryTls}), the
 * admin connection pool, username to DN resolution, discovery and the mapping of failures to results.
 *
 * <p>Verify always opens a fresh connection and binds; admin work goes through one
 * {@link LDAPConnectionPool} per target, bound as the admin and rebuilt when another admin credential
 * arrives (the connector keeps a keyed hash of it, not the value); self change uses a fresh connection bound
 * as the account.
 *
 * <p>Target settings: {@code baseDn}, {@code userFilter}, {@code loginAttribute}, {@code usernameIs}
 * ({@code dn} or {@code login}), {@code tlsMethod}, {@code trustStore}/{@code sslrootcert},
 * {@code connectTimeoutSeconds} (10), {@code responseTimeoutSeconds} (30), {@code maxPoolSize} (4),
 * {@code discoverPageSize} (200), {@code discoverSizeLimit} (100000 entries in all).
 */
public abstract class AbstractDirectoryConnector implements TargetConnector {
    /** How usernames of this target are written. */
    public enum UsernameForm { DN, LOGIN }

    private static final SecureRandom RANDOM = new SecureRandom();

    protected final Target target;
    protected final DirectoryTls tls;
    protected final DN baseDn;
    protected final String loginAttribute;
    protected final Filter userFilter;
    protected final UsernameForm usernameForm;
    private final int discoverPageSize;
    private final int discoverSizeLimit;
    private final byte[] identityKey = new byte[32];
    private final Object poolLock = new Object();
    private LDAPConnectionPool adminPool;
    private byte[] adminIdentity;
    private volatile boolean closed;

    protected AbstractDirectoryConnector(Target target, String defaultLoginAttribute, String defaultFilter,
                                         UsernameForm defaultForm) {
        this.target = Objects.requireNonNull(target, "target");
        if (target.host() == null || target.host().isBlank()) {
            throw new IllegalArgumentException("target " + target.id() + " has no host");
        }
        checkTlsAllowed(target);
        this.tls = DirectoryTls.of(target);
        String base = target.setting("baseDn", null);
        this.baseDn = base == null || base.isBlank() ? null : LdapNames.parseDn(base, "target setting baseDn");
        this.loginAttribute = target.setting("loginAttribute", defaultLoginAttribute);
        LdapNames.requireAttribute(loginAttribute);
        this.userFilter = LdapNames.configuredFilter(target.setting("userFilter", null), defaultFilter);
        String form = target.setting("usernameIs", null);
        if (form == null || form.isBlank()) {
            this.usernameForm = defaultForm;
        } else {
            this.usernameForm = switch (form.trim().toLowerCase(Locale.ROOT)) {
                case "dn" -> UsernameForm.DN;
                case "login" -> UsernameForm.LOGIN;
                default -> throw new IllegalArgumentException("target " + target.id()
                        + ": setting usernameIs must be dn or login");
            };
        }
        if (usernameForm == UsernameForm.LOGIN && baseDn == null) {
            throw new IllegalArgumentException("target " + target.id() + ": usernameIs login needs setting baseDn");
        }
        this.discoverPageSize = intSetting("discoverPageSize", 200, 1);
        this.discoverSizeLimit = intSetting("discoverSizeLimit", 100_000, 1);
        RANDOM.nextBytes(identityKey);
    }

    // ---------------------------------------------------------------- dialect

    /** Refuses TLS settings this kind of directory cannot work with (AD: no clear text). */
    protected void checkTlsAllowed(Target target) {
    }

    /** The name to bind with for {@code username} (a DN, or for AD also a userPrincipalName). */
    protected abstract String bindName(String username);

    /** The entry DN of {@code username}, looked up with {@code connection} where needed. */
    protected abstract DN entryDn(LDAPConnection connection, String username) throws LDAPException;

    /** Sets the password of {@code dn} through the admin connection. */
    protected abstract void adminSet(LDAPConnection connection, DN dn, Secret newSecret) throws LDAPException;

    /** Changes the bound account's own password. */
    protected abstract void selfSet(LDAPConnection connection, DN dn, Secret current, Secret newSecret)
            throws LDAPException;

    /** Forms of a secret besides its clear text that might be echoed in a server message. */
    protected List<String> secretForms(Secret secret) {
        return List.of(secret.reveal());
    }

    // ---------------------------------------------------------------- operations

    @Override
    public VerifyResult verify(VerifyRequest request) {
        checkOpen(request.target());
        Login login = request.login();
        if (login == null || login.username() == null || login.secret() == null) {
            throw new IllegalArgumentException("verify needs a login with a username and a secret");
        }
        String[] secrets = redactions(login.secret());
        String name;
        try {
            name = bindName(login.username());
        } catch (IllegalArgumentException e) {
            return VerifyResult.rejected("username refused: " + e.getMessage());
        }
        if (login.secret().length() == 0) {
            // an empty password would be an anonymous bind that "succeeds" (RFC 4513 5.1.2)
            return VerifyResult.rejected("login refused: empty password");
        }
        LDAPConnection connection;
        try {
            connection = connect();
        } catch (LDAPException e) {
            return LdapFailures.verifyFailure(Phase.CONNECT, e, secrets);
        }
        try (connection) {
            bind(connection, name, login.secret());
            return VerifyResult.valid();
        } catch (LDAPException e) {
            return LdapFailures.verifyFailure(Phase.BIND, e, secrets);
        }
    }

    @Override
    public ChangeResult change(ChangeRequest request) {
        checkOpen(request.target());
        requireAccount(request.username(), request.newSecret());
        if (request.viaAdmin()) {
            return changeViaAdmin(request.admin(), request.username(), request.newSecret(), request.current());
        }
        if (request.current() == null || request.current().length() == 0) {
            return ChangeResult.rejected("self-rotation needs the account's current credential (no admin login given)");
        }
        String[] secrets = redactions(request.current(), request.newSecret());
        String name;
        try {
            name = bindName(request.username());
        } catch (IllegalArgumentException e) {
            return ChangeResult.rejected("username refused, nothing was sent: " + e.getMessage());
        }
        LDAPConnection connection;
        try {
            connection = connect();
        } catch (LDAPException e) {
            return LdapFailures.changeFailure(Phase.CONNECT, e, request.username(), secrets);
        }
        try (connection) {
            DN dn;
            try {
                bind(connection, name, request.current());
                dn = entryDn(connection, request.username());
            } catch (LDAPException e) {
                return LdapFailures.changeFailure(Phase.BIND, e, request.username(), secrets);
            }
            try {
                selfSet(connection, dn, request.current(), request.newSecret());
                return ChangeResult.changed();
            } catch (LDAPException e) {
                return LdapFailures.changeFailure(Phase.APPLY, e, request.username(), secrets);
            }
        } catch (IllegalArgumentException e) {
            return ChangeResult.rejected("username refused, nothing was changed: " + e.getMessage());
        }
    }

    @Override
    public ChangeResult reconcile(ReconcileRequest request) {
        checkOpen(request.target());
        if (request.admin() == null) {
            return ChangeResult.rejected("reconcile needs the target's admin login");
        }
        requireAccount(request.username(), request.newSecret());
        return changeViaAdmin(request.admin(), request.username(), request.newSecret(), null);
    }

    @Override
    public DiscoverResult discover(DiscoverRequest request) {
        checkOpen(request.target());
        if (request.admin() == null) {
            throw new IllegalArgumentException("discover needs the target's admin login");
        }
        if (baseDn == null) {
            throw new IllegalArgumentException("discover on target " + target.id() + " needs setting baseDn");
        }
        String[] secrets = redactions(request.admin().secret());
        LDAPConnectionPool pool;
        try {
            pool = adminPool(request.admin());
        } catch (LDAPException e) {
            throw new LdapConnectorException("discover on target " + target.id() + " failed: "
                    + LdapFailures.describe(e, secrets));
        }
        Filter filter = Filter.createANDFilter(userFilter, LdapNames.selection(loginAttribute, request.filter()));
        LDAPConnection connection;
        try {
            connection = pool.getConnection();
        } catch (LDAPException e) {
            throw new LdapConnectorException("discover on target " + target.id() + " failed: "
                    + LdapFailures.describe(e, secrets));
        }
        boolean healthy = true;
        try {
            List<String> names = pagedSearch(connection, filter, discoverPageSize, discoverSizeLimit);
            names.sort(String::compareTo);
            return new DiscoverResult(names);
        } catch (LDAPException e) {
            healthy = e.getResultCode().isConnectionUsable();
            String reason = e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED
                    ? "the server's size limit cut the result short (it refused to page further); narrow the filter"
                    : LdapFailures.describe(e, secrets);
            throw new LdapConnectorException("discover on target " + target.id() + " failed: " + reason);
        } finally {
            if (healthy) {
                pool.releaseConnection(connection);
            } else {
                pool.releaseDefunctConnection(connection);
            }
        }
    }

    /**
     * Reads every match page by page with the Simple Paged Results control (RFC 2696), so that a server's
     * per-search size limit (slapd 500, AD MaxPageSize 1000) does not cut discovery short; all pages on one
     * connection, as the cookie belongs to it. More than {@code cap} entries is an error naming the setting.
     */
    private List<String> pagedSearch(LDAPConnection connection, Filter filter, int pageSize, int cap)
            throws LDAPException {
        List<String> names = new ArrayList<>();
        ASN1OctetString cookie = null;
        while (true) {
            SearchRequest search = new SearchRequest(baseDn.toString(), SearchScope.SUB, filter, loginAttribute);
            // not critical: a server without paging answers in one piece (or with its size limit, an error)
            search.setControls(new SimplePagedResultsControl(pageSize, cookie, false));
            SearchResult result = connection.search(search);
            SimplePagedResultsControl page = SimplePagedResultsControl.get(result);
            boolean more = page != null && page.moreResultsToReturn();
            if (names.size() + result.getEntryCount() > cap) {
                if (more) {
                    abandon(connection, filter, page.getCookie());
                }
                throw new LdapConnectorException("discover on target " + target.id() + " matched more than "
                        + cap + " entries (setting discoverSizeLimit); narrow the filter or raise the limit");
            }
            for (SearchResultEntry entry : result.getSearchEntries()) {
                if (usernameForm == UsernameForm.DN) {
                    names.add(entry.getParsedDN().toMinimallyEncodedString()); // one spelling whatever the server's escaping
                } else {
                    String value = entry.getAttributeValue(loginAttribute);
                    if (value != null) {
                        names.add(value);
                    }
                }
            }
            if (!more) {
                return names;
            }
            cookie = page.getCookie();
        }
    }

    /** Ends a paged search early (RFC 2696: a page size of 0 with the cookie), so the server drops its state. */
    private void abandon(LDAPConnection connection, Filter filter, ASN1OctetString cookie) throws LDAPException {
        SearchRequest stop = new SearchRequest(baseDn.toString(), SearchScope.SUB, filter, SearchRequest.NO_ATTRIBUTES);
        stop.setControls(new SimplePagedResultsControl(0, cookie, false));
        connection.search(stop);
    }

    private ChangeResult changeViaAdmin(Login admin, String username, Secret newSecret, Secret current) {
        if (admin.username() == null || admin.secret() == null) {
            throw new IllegalArgumentException("the admin login needs a username and a secret");
        }
        String[] secrets = redactions(admin.secret(), current, newSecret);
        LDAPConnectionPool pool;
        try {
            pool = adminPool(admin);
        } catch (LDAPException e) {
            Phase phase = e.getResultCode() == ResultCode.INVALID_CREDENTIALS ? Phase.BIND : Phase.CONNECT;
            return LdapFailures.changeFailure(phase, e, admin.username(), secrets);
        } catch (IllegalArgumentException e) {
            return ChangeResult.rejected("admin login refused, nothing was sent: " + e.getMessage());
        }
        LDAPConnection connection;
        try {
            connection = pool.getConnection();
        } catch (LDAPException e) {
            return LdapFailures.changeFailure(Phase.CONNECT, e, admin.username(), secrets);
        }
        boolean healthy = true;
        try {
            DN dn;
            try {
                dn = entryDn(connection, username);
            } catch (LDAPException e) {
                healthy = !e.getResultCode().isConnectionUsable() ? false : healthy;
                return LdapFailures.changeFailure(Phase.BIND, e, admin.username(), secrets);
            } catch (IllegalArgumentException e) {
                return ChangeResult.rejected("username refused, nothing was sent: " + e.getMessage());
            }
            try {
                adminSet(connection, dn, newSecret);
                return ChangeResult.changed();
            } catch (LDAPException e) {
                healthy = e.getResultCode().isConnectionUsable();
                return LdapFailures.changeFailure(Phase.APPLY, e, admin.username(), secrets);
            }
        } finally {
            if (healthy) {
                pool.releaseConnection(connection);
            } else {
                pool.releaseDefunctConnection(connection);
            }
        }
    }

    // ---------------------------------------------------------------- connections

    /** A new connection with TLS in place as configured, not bound yet. */
    protected LDAPConnection connect() throws LDAPException {
        return tls.connect(target.host(), target.port(), options());
    }

    private LDAPConnectionOptions options() {
        return tls.options(intSetting("connectTimeoutSeconds", 10, 1) * 1000,
                intSetting("responseTimeoutSeconds", 30, 1) * 1000);
    }

    protected static void bind(LDAPConnection connection, String name, Secret secret) throws LDAPException {
        byte[] password = secret.utf8();
        try {
            connection.bind(new SimpleBindRequest(name, password));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    /** The admin name to bind with: a DN as given, else whatever {@link #bindName} makes of it. */
    protected String adminBindName(String username) {
        if (username.indexOf('=') >= 0) {
            return LdapNames.parseDn(username, "admin username").toString();
        }
        return bindName(username);
    }

    private LDAPConnectionPool adminPool(Login admin) throws LDAPException {
        byte[] identity = identity(admin);
        synchronized (poolLock) {
            if (closed) {
                throw new IllegalStateException("connector closed");
            }
            if (adminPool != null && !adminPool.isClosed() && MessageDigest.isEqual(identity, adminIdentity)) {
                return adminPool;
            }
            closeAdminPool();
            String name = adminBindName(admin.username());
            LDAPConnection first = connect();
            try {
                // not bind(): the pool keeps this bind request to bind the connections it opens later (after a
                // server restart, an idle timeout, the connection age), so its password bytes must stay intact
                // for the pool's life; closeAdminPool() drops the pool and with it the request
                first.bind(new SimpleBindRequest(name, admin.secret().utf8()));
            } catch (LDAPException e) {
                first.close();
                throw e;
            }
            PostConnectProcessor startTls = tls.method() == DirectoryTls.Method.STARTTLS ? new PostConnectProcessor() {
                @Override
                public void processPreAuthenticatedConnection(LDAPConnection connection) throws LDAPException {
                    tls.startTls(connection);
                }

                @Override
                public void processPostAuthenticatedConnection(LDAPConnection connection) {
                }
            } : null;
            LDAPConnectionPool pool = new LDAPConnectionPool(first, 1, intSetting("maxPoolSize", 4, 1), startTls);
            pool.setConnectionPoolName("rotor-target-" + target.id() + "-admin");
            pool.setRetryFailedOperationsDueToInvalidConnections(false); // a change is never sent twice
            pool.setMaxConnectionAgeMillis(10 * 60_000L);
            // read the root DSE on checkout: a connection the server dropped (restart, idle timeout) is replaced
            // before the change is sent, instead of failing after it and leaving the outcome unknown
            pool.setHealthCheck(new GetEntryLDAPConnectionPoolHealthCheck(null,
                    intSetting("responseTimeoutSeconds", 30, 1) * 1000L, false, true, false, false, false));
            adminPool = pool;
            adminIdentity = identity;
            return pool;
        }
    }

    private void closeAdminPool() {
        if (adminPool != null) {
            adminPool.close();
            adminPool = null;
        }
        adminIdentity = null;
    }

    private byte[] identity(Login admin) {
        byte[] secret = admin.secret().utf8();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(identityKey, "HmacSHA256"));
            mac.update(admin.username().getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(secret);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Looks up the single entry under baseDn whose filter matches; noSuchObject when none, refused when many. */
    protected DN searchOne(LDAPConnection connection, Filter filter) throws LDAPException {
        SearchRequest search = new SearchRequest(baseDn.toString(), SearchScope.SUB,
                Filter.createANDFilter(userFilter, filter), SearchRequest.NO_ATTRIBUTES);
        search.setSizeLimit(2);
        SearchResult result;
        try {
            result = connection.search(search);
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                throw new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "the username matches more than one entry");
            }
            throw e;
        }
        if (result.getEntryCount() == 0) {
            throw new LDAPException(ResultCode.NO_SUCH_OBJECT, "no entry under baseDn matches the username");
        }
        if (result.getEntryCount() > 1) {
            throw new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "the username matches more than one entry");
        }
        return result.getSearchEntries().get(0).getParsedDN();
    }

    private static void requireAccount(String username, Secret newSecret) {
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("username must not be empty");
        }
        if (newSecret == null || newSecret.length() == 0) {
            throw new IllegalArgumentException("the new secret must not be empty");
        }
    }

    private String[] redactions(Secret... secrets) {
        List<String> forms = new ArrayList<>();
        for (Secret secret : secrets) {
            if (secret != null && secret.length() > 0) {
                forms.addAll(secretForms(secret));
            }
        }
        return forms.toArray(String[]::new);
    }

    protected final int intSetting(String key, int fallback, int min) {
        String value = target.setting(key, null);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min) {
                throw new IllegalArgumentException("target setting " + key + " must be at least " + min);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target setting " + key + " is not a number: " + value);
        }
    }

    private void checkOpen(Target requested) {
        if (closed) {
            throw new IllegalStateException("connector for target " + target.id() + " is closed");
        }
        if (requested != null && !Objects.equals(requested.id(), target.id())) {
            throw new IllegalArgumentException("request for target " + requested.id() + " sent to the connector of "
                    + target.id());
        }
    }

    @Override
    public void close() {
        synchronized (poolLock) {
            if (closed) {
                return;
            }
            closed = true;
            closeAdminPool();
        }
    }
}
