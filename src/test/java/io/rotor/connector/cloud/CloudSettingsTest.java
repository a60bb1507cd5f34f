package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.schema.SchemaValidator;
import io.rotor.schema.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad settings of the cloud targets are refused with a message that names the field, by the schema and by the factory. */
class CloudSettingsTest {
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private final SchemaValidator validator = SchemaValidator.forInventory();
    private final ObjectMapper json = new ObjectMapper();

    private List<Violation> check(String type, Map<String, Object> settings) {
        JsonNode node = json.valueToTree(settings);
        return validator.validateSettings(type, node).violations();
    }

    @Test
    void goodEntraSettingsPass() {
        assertThat(check("entra-id", Map.of("tenantId", TENANT, "scope", "https://graph.microsoft.com/.default",
                "timeoutSeconds", 20))).isEmpty();
    }

    @Test
    void aTenantIdThatIsNotAGuidIsRefusedByName() {
        assertThat(check("entra-id", Map.of("tenantId", "contoso.onmicrosoft.com", "scope", "https://graph.microsoft.com/.default")))
                .singleElement().satisfies(v -> {
                    assertThat(v.path()).isEqualTo("settings.tenantId");
                    assertThat(v.message()).contains("GUID");
                });
        assertThatThrownBy(() -> new EntraIdConnectorFactory().create(entra(Map.of("tenantId", "not-a-guid",
                "scope", "https://graph.microsoft.com/.default"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setting tenantId").hasMessageContaining("GUID");
    }

    @Test
    void aMissingOrWrongScopeIsRefusedByName() {
        assertThat(check("entra-id", Map.of("tenantId", TENANT))).singleElement()
                .satisfies(v -> assertThat(v.path() + " " + v.message()).contains("scope").contains("required"));
        assertThat(check("entra-id", Map.of("tenantId", TENANT, "scope", "User.ReadWrite.All"))).singleElement()
                .satisfies(v -> assertThat(v.path()).isEqualTo("settings.scope"));
        assertThatThrownBy(() -> new EntraIdConnectorFactory().create(entra(Map.of("tenantId", TENANT))))
                .hasMessageContaining("setting scope is required");
        assertThatThrownBy(() -> new EntraIdConnectorFactory().create(entra(Map.of("tenantId", TENANT, "scope", "openid"))))
                .hasMessageContaining("setting scope");
        assertThat(check("google-workspace", Map.of("subject", "admin@example.test",
                "scope", "https://www.googleapis.com/auth/admin.directory.user.readonly"))).singleElement()
                .satisfies(v -> assertThat(v.path()).isEqualTo("settings.scope"));
    }

    @Test
    void aBadUrlIsRefusedByName() {
        assertThat(check("entra-id", Map.of("tenantId", TENANT, "scope", "https://graph.microsoft.com/.default",
                "graphEndpoint", "http://graph.microsoft.com/v1.0"))).singleElement()
                .satisfies(v -> assertThat(v.path()).isEqualTo("settings.graphEndpoint"));
        assertThat(check("google-workspace", Map.of("subject", "admin@example.test", "tokenUri", "https://x/token?u=evil")))
                .singleElement().satisfies(v -> assertThat(v.path()).isEqualTo("settings.tokenUri"));
        assertThatThrownBy(() -> new EntraIdConnectorFactory().create(entra(Map.of("tenantId", TENANT,
                "scope", "https://graph.microsoft.com/.default", "loginEndpoint", "ftp://login"))))
                .hasMessageContaining("setting loginEndpoint");
    }

    @Test
    void googleNeedsTheAdministratorItActsAs() {
        assertThat(check("google-workspace", Map.of())).singleElement()
                .satisfies(v -> assertThat(v.path() + " " + v.message()).contains("subject").contains("required"));
        assertThat(check("google-workspace", Map.of("subject", "not an email"))).singleElement()
                .satisfies(v -> assertThat(v.path()).isEqualTo("settings.subject"));
        assertThatThrownBy(() -> new GoogleWorkspaceConnectorFactory().create(google(Map.of())))
                .hasMessageContaining("setting subject is required");
        assertThatThrownBy(() -> new GoogleWorkspaceConnectorFactory().create(google(Map.of("subject", "a@b.test",
                "hashFunction", "MD4")))).hasMessageContaining("setting hashFunction");
    }

    @Test
    void anUnknownSettingGetsASuggestion() {
        assertThat(check("entra-id", Map.of("tenantId", TENANT, "scope", "https://graph.microsoft.com/.default",
                "caFiel", "/ca.pem"))).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("caFiel").contains("caFile"));
    }

    @Test
    void aCaFileThatIsNotThereIsRefusedByName() {
        assertThatThrownBy(() -> new EntraIdConnectorFactory().create(entra(Map.of("tenantId", TENANT,
                "scope", "https://graph.microsoft.com/.default", "caFile", "/nonexistent/ca.pem"))))
                .hasMessageContaining("setting caFile");
    }

    private static Target entra(Map<String, String> settings) {
        return new Target("e", "entra-id", "graph.microsoft.com", 443, null, TlsMode.VERIFY_FULL, null, null, settings);
    }

    private static Target google(Map<String, String> settings) {
        return new Target("g", "google-workspace", "admin.googleapis.com", 443, null, TlsMode.VERIFY_FULL, null, null, settings);
    }
}
