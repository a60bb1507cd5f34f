package io.rotor.connector.ldap;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.util.ssl.KeyStoreKeyManager;
import com.unboundid.util.ssl.SSLUtil;
import io.rotor.connector.ChangeRequest;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Login;
import io.rotor.connector.VerifyRequest;
import io.rotor.connector.VerifyResult;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * verify-full checks the host name, not only the chain: an LDAPS server whose (trusted) certificate names
 * another host is refused, while {@code require} (no certificate check) connects. In-memory directory.
 */
class LdapTlsTest {
    private static final String BASE = "dc=rotor,dc=test";
    private static final String DN = "uid=alice,ou=people," + BASE;

    @TempDir
    Path dir;
    private InMemoryDirectoryServer server;
    private Path certPem;

    @BeforeEach
    void start() throws Exception {
        Path store = dir.resolve("server.p12");
        certPem = dir.resolve("server.crt");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=wrong.example",
                "-ext", "san=dns:wrong.example", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "throwaway", "-keypass", "throwaway");
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(), "-storepass", "throwaway",
                "-file", certPem.toString());
        SSLUtil serverSsl = new SSLUtil(new KeyStoreKeyManager(store.toFile(), "throwaway".toCharArray(), "PKCS12", "server"), null);
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPSConfig("ldaps", InetAddress.getLoopbackAddress(), 0,
                serverSsl.createSSLServerSocketFactory(), null));
        server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: domain", "dc: rotor");
        server.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
        server.add("dn: " + DN, "objectClass: inetOrgPerson", "uid: alice", "cn: a", "sn: a", "userPassword: alice-Old-1");
        server.startListening();
    }

    @AfterEach
    void stop() {
        server.shutDown(true);
    }

    private Target target(TlsMode mode) {
        return new Target("dir", "ldap", "127.0.0.1", server.getListenPort(), null, mode, null, null,
                Map.of("tlsMethod", "ldaps", "trustStore", certPem.toString()));
    }

    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aTrustedCertificateForAnotherHostIsRefusedUnderVerifyFull() {
        Target t = target(TlsMode.VERIFY_FULL);
        try (LdapConnector c = new LdapConnector(t)) {
            VerifyResult v = c.verify(new VerifyRequest(t, new Login(DN, s("alice-Old-1"))));
            assertThat(v.outcome()).as(v.detail()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
            ChangeResult r = c.change(new ChangeRequest(t, DN, s("alice-Old-1"), s("alice-New-2"), null));
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).contains("nothing was sent");
        }
        Target require = target(TlsMode.REQUIRE);
        try (LdapConnector c = new LdapConnector(require)) {
            assertThat(c.verify(new VerifyRequest(require, new Login(DN, s("alice-Old-1"))))).isEqualTo(VerifyResult.valid());
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0 || (args[0].equals("-exportcert") && !Files.readString(Path.of(args[args.length - 1])).contains("BEGIN"))) {
            throw new IOException("keytool failed: " + output);
        }
    }
}
