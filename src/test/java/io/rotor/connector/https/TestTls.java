package io.rotor.connector.https;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate made in the test with the JDK's keytool (for 127.0.0.1 and localhost), its
 * key store for a test server and its PEM for the connector's {@code trustStore} setting. Made once per JVM: key
 * generation is slow on a loaded machine.
 */
public final class TestTls {
    private static final char[] STORE_PASSWORD = "test-store-only".toCharArray();
    private static TestTls server;
    private static TestTls other;

    private final Path keyStore;
    private final Path pem;

    private TestTls(Path keyStore, Path pem) {
        this.keyStore = keyStore;
        this.pem = pem;
    }

    /** The certificate the test servers present. */
    public static synchronized TestTls server() {
        if (server == null) {
            server = make("rotor-test-server");
        }
        return server;
    }

    /** Another self-signed certificate for the same names: a trust store holding it must not accept {@link #server()}. */
    public static synchronized TestTls other() {
        if (other == null) {
            other = make("rotor-test-impostor");
        }
        return other;
    }

    /** The PEM certificate, for the connector's {@code trustStore}. */
    public Path pem() {
        return pem;
    }

    public SSLContext serverContext() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, STORE_PASSWORD);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, STORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the test key store", e);
        }
    }

    private static TestTls make(String name) {
        try {
            Path dir = Files.createTempDirectory("rotor-tls-");
            dir.toFile().deleteOnExit();
            Path store = dir.resolve(name + ".p12");
            Path pem = dir.resolve(name + ".pem");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            String password = new String(STORE_PASSWORD);
            run(List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password, "-keypass", password));
            exportPem(store, pem);
            store.toFile().deleteOnExit();
            pem.toFile().deleteOnExit();
            return new TestTls(store, pem);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    /** The certificate as PEM, read in this JVM (one keytool start fewer: each costs seconds on a loaded machine). */
    private static void exportPem(Path store, Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, STORE_PASSWORD);
            String base64 = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .encodeToString(keys.getCertificate("server").getEncoded());
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot read the test key store", e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(p.getInputStream().readAllBytes()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
