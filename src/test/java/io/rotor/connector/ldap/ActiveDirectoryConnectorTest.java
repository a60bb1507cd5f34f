package io.rotor.connector.ldap;

import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** unicodePwd encoding, the clear-text refusal and name handling (the real server is in ActiveDirectoryConnectorIT). */
class ActiveDirectoryConnectorTest {
    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    private static Target target(TlsMode mode, Map<String, String> settings) {
        return new Target("ad", "activedirectory", "dc.example", 636, null, mode, null, null, settings);
    }

    @Test
    void unicodePwdIsTheQuotedPasswordInUtf16LittleEndianWithoutBom() {
        assertThat(HexFormat.of().formatHex(ActiveDirectoryConnector.unicodePwd(s("Ab1!"))))
                .isEqualTo("220041006200310021002200");
        // a quote inside the password stays as it is; non-BMP characters become a surrogate pair
        assertThat(ActiveDirectoryConnector.unicodePwd(s("a\"\uD83D\uDE00")))
                .isEqualTo("\"a\"\uD83D\uDE00\"".getBytes(StandardCharsets.UTF_16LE));
        assertThat(ActiveDirectoryConnector.unicodePwd(s(""))).containsExactly(0x22, 0, 0x22, 0);
    }

    @Test
    void clearTextIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> new ActiveDirectoryConnector(target(TlsMode.DISABLE, Map.of("baseDn", "DC=corp,DC=example"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only over an encrypted connection")
                .hasMessageContaining("tls disable is refused");
    }

    @Test
    void bindNamesAreUserPrincipalNames() {
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(target(TlsMode.REQUIRE,
                Map.of("baseDn", "CN=Users,DC=corp,DC=example")))) {
            assertThat(c.bindName("alice")).isEqualTo("alice@corp.example");
            assertThat(c.bindName("alice@other.example")).isEqualTo("alice@other.example");
            assertThatThrownBy(() -> c.bindName("CN=alice,CN=Users,DC=corp,DC=example")).hasMessageContaining("login name");
        }
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(target(TlsMode.REQUIRE,
                Map.of("baseDn", "CN=Users,DC=corp,DC=example", "usernameIs", "dn")))) {
            assertThat(c.bindName("CN=alice,CN=Users,DC=corp,DC=example")).isEqualTo("CN=alice,CN=Users,DC=corp,DC=example");
            assertThatThrownBy(() -> c.bindName("CN=x,DC=evil")).hasMessageContaining("not under");
        }
        assertThatThrownBy(() -> new ActiveDirectoryConnector(target(TlsMode.REQUIRE, Map.of())))
                .hasMessageContaining("baseDn");
    }

    @Test
    void quotedFormsOfSecretsAreMaskedToo() {
        try (ActiveDirectoryConnector c = new ActiveDirectoryConnector(target(TlsMode.REQUIRE,
                Map.of("baseDn", "DC=corp,DC=example")))) {
            assertThat(c.secretForms(s("pw"))).containsExactly("pw", "\"pw\"");
        }
    }
}
