package io.rotor.it;

import io.rotor.security.HttpTransport;
import io.rotor.security.TestKeyStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attack (issue item 8): read the API's bearer tokens and the credentials it hands out off the network.
 * {@code rotor serve} serves HTTPS from a PKCS#12 key store (password from the environment only), and refuses
 * plain HTTP on a non-loopback address unless {@code --insecure-http} is given.
 */
class HttpsSecurityIT {
    private static final String STORE_PASSWORD = "It-{{store}}-pass";
    private Path home;
    private Process server;
    private String masterKey;

    @BeforeEach
    void aHome() throws Exception {
        home = Files.createTempDirectory("rotor-https-sec-");
        Files.createDirectories(home.resolve("config"));
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        masterKey = Base64.getEncoder().encodeToString(key);
    }

    @AfterEach
    void cleanUp() throws Exception {
        ServeProcesses.stop(server);
        TestDirs.delete(home);
    }

    @Test
    void withAKeyStoreTheApiAndHealthAreServedOverVerifiedHttpsOnly() throws Exception {
        Path keyStore = TestKeyStores.create(home.resolve("config/http.p12"), STORE_PASSWORD);
        Files.writeString(home.resolve("config/application.properties"),
                HttpTransport.KEY_STORE_SETTING + " = config/http.p12\n");
        byte[] token = new byte[32];
        new java.security.SecureRandom().nextBytes(token);
        String adminToken = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken,
                HttpTransport.PASSWORD_ENV, STORE_PASSWORD));
        int port = TestPorts.free();
        Path log = home.resolve("serve.log");

        server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port));
        HttpClient https = HttpClient.newBuilder().sslContext(TestKeyStores.trusting(keyStore, STORE_PASSWORD))
                .connectTimeout(Duration.ofSeconds(10)).build();
        String health = ServeProcesses.awaitUp(https, server, "https://127.0.0.1:" + port + "/observe/health");

        assertThat(health).contains("\"status\":\"UP\"");
        HttpResponse<String> api = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/targets"))
                .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
        // the same port does not answer in clear text
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.io.IOException.class);
        // a client that does not trust the certificate is refused: it is verified TLS, not just encryption
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/observe/health"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);

        ServeProcesses.stop(server);
        String output = Files.readString(log);
        assertThat(output).contains("Rotor is serving on port " + port + " (HTTPS with the key store " + keyStore + ")")
                .doesNotContain(STORE_PASSWORD).doesNotContain(adminToken);
    }

    @Test
    void plainHttpOnEveryInterfaceIsRefusedWithExitCode78() throws Exception {
        Files.writeString(home.resolve("config/application.properties"), "camel.server.host = 0.0.0.0\n");
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey));

        RotorProcess.Result refused = rotor.run("serve", "--port", String.valueOf(TestPorts.free()));

        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(78);
        assertThat(refused.stderr()).contains("refusing to serve plain HTTP on 0.0.0.0")
                .contains(HttpTransport.KEY_STORE_SETTING).contains("--insecure-http").doesNotContain("\tat ");
        assertThat(home.resolve("data")).as("refused before the vault was opened").doesNotExist();
    }
}
