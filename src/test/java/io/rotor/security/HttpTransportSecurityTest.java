package io.rotor.security;

import io.rotor.cli.ExitCodes;
import io.rotor.cli.RotorCommand;
import io.rotor.config.RotorHome;
import io.rotor.config.RotorSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Attack: read bearer tokens and the credentials the API hands out off the network. {@code rotor serve} refuses
 * plain HTTP on a non-loopback address unless told {@code --insecure-http}, and serves HTTPS from a PKCS#12 key
 * store whose password comes only from the environment.
 */
class HttpTransportSecurityTest {
    private static final String PASSWORD = "store-{{pass}}-word";

    @TempDir
    Path home;

    private RotorSettings settings(String... lines) throws Exception {
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/application.properties"), String.join("\n", lines) + "\n");
        return RotorSettings.load(RotorHome.of(home), null, Map.of());
    }

    @Test
    void plainHttpOnEveryInterfaceIsRefusedAndSaysHowToFixIt() throws Exception {
        RotorSettings open = settings("camel.server.host = 0.0.0.0");

        assertThatThrownBy(() -> HttpTransport.decide(open, Map.of(), false)).isInstanceOf(UnsafeConfigurationException.class)
                .hasMessageContaining("0.0.0.0").hasMessageContaining("not a loopback address")
                .hasMessageContaining(HttpTransport.KEY_STORE_SETTING).hasMessageContaining(HttpTransport.PASSWORD_ENV)
                .hasMessageContaining("--insecure-http");
    }

    @Test
    void theManagementEndpointsFollowTheServerAndAreCheckedToo() throws Exception {
        // the shipped configuration: management.host = {{camel.server.host}}
        assertThatThrownBy(() -> HttpTransport.decide(settings("camel.server.host = 192.0.2.10"), Map.of(), false))
                .isInstanceOf(UnsafeConfigurationException.class).hasMessageContaining("192.0.2.10");
        assertThatThrownBy(() -> HttpTransport.decide(settings("camel.management.host = 0.0.0.0"), Map.of(), false))
                .isInstanceOf(UnsafeConfigurationException.class);
    }

    @Test
    void loopbackAddressesServePlainHttp() throws Exception {
        for (String host : new String[]{"127.0.0.1", "127.0.0.2", "localhost", "::1"}) {
            HttpTransport transport = HttpTransport.decide(settings("camel.server.host = " + host), Map.of(), false);
            assertThat(transport.secure()).as(host).isFalse();
        }
    }

    @Test
    void insecureHttpIsTheOperatorsExplicitChoice() throws Exception {
        assertThatCode(() -> HttpTransport.decide(settings("camel.server.host = 0.0.0.0"), Map.of(), true))
                .doesNotThrowAnyException();
    }

    @Test
    void aKeyStoreServesHttpsOnAnyAddress() throws Exception {
        TestKeyStores.create(Files.createDirectories(home.resolve("config")).resolve("http.p12"), PASSWORD);

        HttpTransport transport = HttpTransport.decide(settings("camel.server.host = 0.0.0.0",
                "rotor.http.tls.key-store = config/http.p12"), Map.of(HttpTransport.PASSWORD_ENV, PASSWORD), false);

        assertThat(transport.secure()).isTrue();
        assertThat(transport.scheme()).isEqualTo("https");
        assertThat(transport.toString()).doesNotContain(PASSWORD);
        java.util.Properties overrides = new java.util.Properties();
        transport.applyTo(overrides);
        assertThat(overrides).containsEntry("camel.server.use-global-ssl-context-parameters", "true")
                .containsEntry("camel.management.use-global-ssl-context-parameters", "true");
        assertThat(overrides.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aKeyStoreWithoutItsPasswordOrWithAWrongOneIsRefusedWithoutEchoingIt() throws Exception {
        TestKeyStores.create(Files.createDirectories(home.resolve("config")).resolve("http.p12"), PASSWORD);
        RotorSettings tls = settings("rotor.http.tls.key-store = config/http.p12");

        assertThatThrownBy(() -> HttpTransport.decide(tls, Map.of(), false))
                .hasMessageContaining(HttpTransport.PASSWORD_ENV).hasMessageContaining("is not");
        String wrong = "wrong-Secret-9";
        assertThatThrownBy(() -> HttpTransport.decide(tls, Map.of(HttpTransport.PASSWORD_ENV, wrong), false))
                .hasMessageContaining(home.resolve("config/http.p12").toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> HttpTransport.decide(settings("rotor.http.tls.key-store = config/missing.p12"),
                Map.of(HttpTransport.PASSWORD_ENV, PASSWORD), false)).hasMessageContaining("missing.p12");
    }

    @Test
    void serveOnANetworkAddressWithoutTlsExitsWithEX_CONFIGBeforeTouchingTheVault() throws Exception {
        settings("camel.server.host = 0.0.0.0");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = RotorCommand.execute("serve", "--home", home.toString(), "--port", "18080");
        } finally {
            System.setErr(originalErr);
        }

        assertThat(exit).isEqualTo(ExitCodes.UNSAFE_CONFIGURATION);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("rotor: refusing to serve plain HTTP on 0.0.0.0")
                .doesNotContain("\tat ");
        assertThat(home.resolve("data")).doesNotExist();
    }
}
