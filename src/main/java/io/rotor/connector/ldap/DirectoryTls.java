package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import java.io.File;
import java.security.GeneralSecurityException;
import java.util.Locale;

/**
 * How a directory connection is secured, from the target's {@code tls} mode and settings:
 * <ul>
 *   <li>{@code disable}: plain LDAP (refused by Active Directory targets);</li>
 *   <li>{@code require}: TLS, certificate not checked (like libpq's sslmode=require);</li>
 *   <li>{@code verify-full}: TLS, certificate chain checked against the PEM file in setting {@code trustStore}
 *       (or {@code sslrootcert}) and the host name checked against the certificate.</li>
 * </ul>
 * Setting {@code tlsMethod}: {@code ldaps} (TLS from the first byte) or {@code starttls}; default
 * {@code ldaps} on port 636 and {@code starttls} on any other port. Whenever TLS was asked for and fails,
 * the connection is closed and the operation fails: it never continues in clear text.
 */
final class DirectoryTls {
    enum Method { NONE, LDAPS, STARTTLS }

    private final TlsMode mode;
    private final Method method;
    private final SSLContext context;

    private DirectoryTls(TlsMode mode, Method method, SSLContext context) {
        this.mode = mode;
        this.method = method;
        this.context = context;
    }

    static DirectoryTls of(Target target) {
        TlsMode mode = target.tlsMode();
        if (mode == TlsMode.DISABLE) {
            return new DirectoryTls(mode, Method.NONE, null);
        }
        Method method = method(target);
        TrustManager trust;
        if (mode == TlsMode.VERIFY_FULL) {
            String file = target.setting("trustStore", target.setting("sslrootcert", null));
            if (file == null || file.isBlank()) {
                throw new IllegalArgumentException("target " + target.id()
                        + ": tls verify-full needs setting trustStore (a PEM file of trusted CA certificates)");
            }
            File pem = new File(file);
            if (!pem.isFile()) {
                throw new IllegalArgumentException("target " + target.id() + ": trustStore " + file + " is not a file");
            }
            try {
                trust = new PEMFileTrustManager(pem);
            } catch (Exception e) {
                throw new IllegalArgumentException("target " + target.id() + ": cannot read trustStore " + file
                        + ": " + e.getMessage(), e);
            }
        } else {
            trust = new TrustAllTrustManager();
        }
        try {
            SSLContext context = new SSLUtil(trust).createSSLContext("TLSv1.2");
            return new DirectoryTls(mode, method, context);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
        }
    }

    static Method method(Target target) {
        String setting = target.setting("tlsMethod", null);
        if (setting == null || setting.isBlank()) {
            return target.port() == 636 ? Method.LDAPS : Method.STARTTLS;
        }
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "ldaps" -> Method.LDAPS;
            case "starttls" -> Method.STARTTLS;
            default -> throw new IllegalArgumentException("target " + target.id()
                    + ": setting tlsMethod must be ldaps or starttls, not " + setting);
        };
    }

    boolean encrypted() {
        return method != Method.NONE;
    }

    TlsMode mode() {
        return mode;
    }

    Method method() {
        return method;
    }

    /** Options for every connection: timeouts and, for verify-full, the host name check. */
    LDAPConnectionOptions options(int connectTimeoutMillis, int responseTimeoutMillis) {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(connectTimeoutMillis);
        options.setResponseTimeoutMillis(responseTimeoutMillis);
        options.setUseSynchronousMode(false);
        options.setFollowReferrals(false);
        options.setAbandonOnTimeout(true);
        if (mode == TlsMode.VERIFY_FULL) {
            options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        }
        return options;
    }

    SocketFactory socketFactory() {
        return method == Method.LDAPS ? tlsSocketFactory() : SocketFactory.getDefault();
    }

    /** TLS sockets; under verify-full each one checks the host name during the handshake. */
    private SSLSocketFactory tlsSocketFactory() {
        SSLSocketFactory factory = context.getSocketFactory();
        return mode == TlsMode.VERIFY_FULL ? new EndpointCheckingSocketFactory(factory) : factory;
    }

    /**
     * Opens a connection with TLS in place (LDAPS handshake, or StartTLS before anything else is sent).
     * Throws {@code LDAPException} with {@code CONNECT_ERROR} when TLS cannot be set up; the connection is
     * closed then, never used in clear text.
     */
    LDAPConnection connect(String host, int port, LDAPConnectionOptions options) throws LDAPException {
        LDAPConnection connection = new LDAPConnection(socketFactory(), options);
        try {
            connection.connect(host, port);
            if (method == Method.LDAPS) {
                // force the handshake now, so that a refused certificate is a connect failure
                connection.getSSLSession();
            }
            if (method == Method.STARTTLS) {
                startTls(connection);
            }
            return connection;
        } catch (LDAPException e) {
            connection.close();
            throw e;
        } catch (RuntimeException e) {
            connection.close();
            throw new LDAPException(ResultCode.CONNECT_ERROR, "TLS failed: " + e.getMessage(), e);
        }
    }

    void startTls(LDAPConnection connection) throws LDAPException {
        ExtendedResult result;
        try {
            result = connection.processExtendedOperation(new StartTLSExtendedRequest(tlsSocketFactory()));
        } catch (LDAPException e) {
            connection.close();
            throw new LDAPException(ResultCode.CONNECT_ERROR,
                    "StartTLS failed, connection refused (not continuing without TLS): " + e.getMessage(), e);
        }
        if (result.getResultCode() != ResultCode.SUCCESS) {
            connection.close();
            throw new LDAPException(ResultCode.CONNECT_ERROR,
                    "StartTLS refused by the server (" + result.getResultCode().getName()
                            + "), connection refused (not continuing without TLS)");
        }
    }
}
