package io.rotor.schema;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.connector.ConnectorRegistry;
import io.rotor.vault.VaultModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SchemasTest {
    private final Schemas schemas = Schemas.shipped();

    @Test
    void everyRegisteredConnectorTypeHasASettingsSchema() {
        List<String> types = new ArrayList<>(new ConnectorRegistry().types());
        types.add(VaultModel.VAULT_TARGET_TYPE);
        types.add(VaultModel.USER_TARGET_TYPE);
        assertThat(types).contains("postgresql", "mariadb", "mysql", "ldap", "activedirectory", "ssh", "unix", "telnet");
        for (String type : types) {
            assertThat(schemas.hasSettingsSchema(type)).as("settings schema for connector type " + type).isTrue();
            JsonNode doc = schemas.get(Schemas.settingsSchemaName(type)).orElseThrow();
            assertThat(doc.path("additionalProperties").asBoolean(true)).as(type + ": unknown settings refused").isFalse();
            doc.path("properties").fields().forEachRemaining(p -> {
                assertThat(p.getValue().has("description")).as(type + "." + p.getKey() + " has a description").isTrue();
                assertThat(p.getValue().has("type")).as(type + "." + p.getKey() + " has a type").isTrue();
            });
        }
    }

    @Test
    void theEntitiesAreListedWithTitles() {
        assertThat(schemas.list()).extracting(Schemas.Entry::name).startsWith("target", "account", "policy", "user", "group",
                "template", "changer", "workflow-request").contains("connector-postgresql", "connector-vault-users");
        assertThat(schemas.list()).allSatisfy(e -> assertThat(e.title()).isNotBlank());
        assertThat(schemas.get("nope")).isEmpty();
    }

    @Test
    void servedDocumentsAreSelfContained() {
        for (Schemas.Entry entry : schemas.list()) {
            String text = schemas.get(entry.name()).orElseThrow().toString();
            assertThat(text).as(entry.name()).doesNotContain("\"$ref\"");
            // every schema compiles and accepts an empty object or refuses it in words
            SchemaValidator.forApi().validate(entry.name(), new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode())
                    .violations().forEach(v -> assertThat(v.message()).doesNotContain("is not valid ("));
        }
    }

    @Test
    void theIdRuleIsDefinedOnceInTheSchemasAndMatchesTheJavaConstant() {
        JsonNode id = schemas.get("target").orElseThrow().path("properties").path("id");
        assertThat(id.path("pattern").asText()).isEqualTo("^" + Schemas.ID_REGEX + "$");
        assertThat(Schemas.ID.matcher("pg-local_1.a").matches()).isTrue();
        assertThat(Schemas.ID.matcher("-x").matches()).isFalse();
    }
}
