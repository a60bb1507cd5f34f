package io.rotor.cluster.agent;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collections;

/**
 * The agent trusts exactly one server key: the SHA-256 of the server certificate's public key (SubjectPublicKeyInfo),
 * written {@code sha256/<base64>} as curl's {@code --pinnedpubkey} does. No CA, no host name: the pin is the server's
 * identity, given once at enrollment (docs/architecture.md, "Agents").
 */
public final class PinnedTls {
    private PinnedTls() {
    }

    public static String pinOf(X509Certificate certificate) {
        try {
            return "sha256/" + Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The pin of the first key entry's certificate in a PKCS#12 key store (the server's, rotor.http.tls.key-store). */
    public static String pinOf(Path keyStore, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                return pinOf((X509Certificate) store.getCertificate(alias));
            }
        }
        throw new IllegalArgumentException(keyStore + ": no key entry");
    }

    public static String checkPin(String pin) {
        if (pin == null || !pin.matches("sha256/[A-Za-z0-9+/]{43}=")) {
            throw new IllegalArgumentException("--server-pin: expected sha256/<base64 of 32 bytes> (rotor agent-token create prints it)");
        }
        return pin;
    }

    public static SSLContext context(String pin) {
        X509ExtendedTrustManager trust = new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length == 0) {
                    throw new CertificateException("the server sent no certificate");
                }
                String seen = pinOf(chain[0]);
                if (!MessageDigest.isEqual(seen.getBytes(), pin.getBytes())) {
                    throw new CertificateException("the server's key " + seen + " is not the pinned key " + pin);
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                check(chain);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("the agent accepts no client");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("the agent accepts no client");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("the agent accepts no client");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[]{trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
