package io.rotor.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaValidatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final SchemaValidator inventory = SchemaValidator.forInventory();
    private final SchemaValidator api = SchemaValidator.forApi();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<String> messages(SchemaValidator.Result result) {
        return result.violations().stream().map(Violation::message).toList();
    }

    @Test
    void aMisspeltSettingIsRefusedWithTheClosestKnownOne() {
        SchemaValidator.Result r = inventory.validateSettings("postgresql", yaml("sslrotcert: /ca.pem\n"));
        assertThat(r.violations()).containsExactly(new Violation("settings.sslrotcert",
                "unknown setting 'sslrotcert' for type postgresql (did you mean 'sslrootcert'?)"));
        assertThat(r.violations().get(0).unknownField()).isTrue();
        // a difference of case and a swap of neighbours are suggested too
        assertThat(messages(inventory.validateSettings("postgresql", yaml("MaxPoolSize: 4\n"))))
                .containsExactly("unknown setting 'MaxPoolSize' for type postgresql (did you mean 'maxPoolSize'?)");
        assertThat(messages(inventory.validateSettings("ldap", yaml("basDen: dc=x\n"))))
                .containsExactly("unknown setting 'basDen' for type ldap (did you mean 'baseDn'?)");
    }

    @Test
    void aSettingFarFromAnyKnownOneListsTheKnownSettings() {
        assertThat(messages(inventory.validateSettings("telnet", yaml("colour: red\n")))).containsExactly(
                "unknown setting 'colour' for type telnet (known settings: loginPrompt, passwordPrompt, shellPrompt,"
                        + " passwordChanger, changer, stepTimeoutSeconds, connectTimeoutSeconds, loginAccount,"
                        + " enableSecretAccount, adminMethod, adminChanger)");
        assertThat(messages(inventory.validateSettings("vault-users", yaml("x: y\n"))))
                .containsExactly("unknown setting 'x' for type vault-users (type vault-users takes no settings)");
        assertThat(messages(inventory.validateSettings("no-such-type", yaml("x: y\n"))))
                .containsExactly("unknown setting 'x' for type no-such-type (type no-such-type takes no settings)");
    }

    @Test
    void typedSettingsAreCheckedBeforeTheyBecomeStrings() {
        SchemaValidator.Result typed = inventory.validateSettings("postgresql", yaml("maxPoolSize: 5\nsocketTimeoutSeconds: \"60\"\n"));
        assertThat(typed.violations()).isEmpty();
        assertThat(SchemaValidator.asStrings(typed.value())).isEqualTo(Map.of("maxPoolSize", "5", "socketTimeoutSeconds", "60"));

        assertThat(messages(inventory.validateSettings("postgresql", yaml("maxPoolSize: \"x\"\n"))))
                .containsExactly("setting 'maxPoolSize' must be a whole number");
        assertThat(messages(inventory.validateSettings("postgresql", yaml("maxPoolSize: 2.5\n"))))
                .containsExactly("setting 'maxPoolSize' must be a whole number");
        assertThat(messages(inventory.validateSettings("postgresql", yaml("maxPoolSize: 0\n"))))
                .containsExactly("setting 'maxPoolSize' must be at least 1");
        assertThat(messages(inventory.validateSettings("ssh", yaml("knownHosts: /k\nstepTimeoutSeconds: 0\n"))))
                .containsExactly("setting 'stepTimeoutSeconds' must be greater than 0");
        SchemaValidator.Result decimal = inventory.validateSettings("ssh", yaml("knownHosts: /k\nstepTimeoutSeconds: \"2.5\"\n"));
        assertThat(SchemaValidator.asStrings(decimal.value())).containsEntry("stepTimeoutSeconds", "2.5");
    }

    @Test
    void aNumberWhereTextBelongsIsRefusedAsYamlWouldRetypeIt() {
        assertThat(messages(inventory.validateSettings("postgresql", yaml("sslrootcert: 0123\n")))).containsExactly(
                "setting 'sslrootcert' must be quoted: YAML reads this unquoted value as a number or true/false, which"
                        + " can change it (0123 becomes 83, on becomes true)");
        assertThat(messages(inventory.validate("account", yaml("{id: a1, target: t1, username: on}")))).containsExactly(
                "field 'username': YAML reads this unquoted value as a number or true/false, which can change it"
                        + " (0123 becomes 83, on becomes true): put it in quotes");
        assertThat(messages(api.validate("user", json("{\"id\": \"u\", \"userTarget\": \"s\", \"login\": 5}"))))
                .containsExactly("field 'login': must be a string");
        assertThat(messages(inventory.validateSettings("postgresql", yaml("sslrootcert:\n"))))
                .containsExactly("setting 'sslrootcert' must have a value");
    }

    @Test
    void enumsAreMatchedRegardlessOfCaseAndComeBackInTheSchemasSpelling() {
        SchemaValidator.Result r = inventory.validate("target", yaml("{id: t, type: postgresql, host: h, tls: VERIFY_FULL}"));
        assertThat(r.violations()).isEmpty();
        assertThat(r.value().get("tls").asText()).isEqualTo("verify-full");
        assertThat(messages(inventory.validate("target", yaml("{id: t, type: postgresql, host: h, tls: verify-ca}"))))
                .containsExactly("field 'tls': must be one of disable, require, verify-full");
        assertThat(messages(inventory.validateSettings("ldap", yaml("usernameIs: uid\n"))))
                .containsExactly("setting 'usernameIs' must be one of dn, login");
        assertThat(inventory.validateSettings("ldap", yaml("selfChangeMethod: PASSWORDMODIFY\n")).value()
                .get("selfChangeMethod").asText()).isEqualTo("passwordModify");
    }

    @Test
    void requiredFieldsAreNamedEachWithTheSchemasExamples() {
        assertThat(inventory.validate("target", yaml("{id: t}")).violations()).containsExactly(
                new Violation("type", "field 'type': is required (postgresql, mariadb, ...)"),
                new Violation("host", "field 'host': is required"));
        assertThat(messages(inventory.validateSettings("ssh", yaml("hostKeyPolicy: tofu\n"))))
                .containsExactly("setting 'knownHosts' is required");
        // PATCH: what is left out comes from the stored record
        assertThat(api.validate("changer", json("{\"timeout\": 60}"), SchemaValidator.Mode.PARTIAL).violations()).isEmpty();
        assertThat(api.validate("changer", json("{\"timeout\": 60}")).violations()).extracting(Violation::path)
                .containsExactly("name", "type", "transport", "commands");
    }

    @Test
    void fieldsComeInTheEntrysOrderAndUnknownOnesListTheKnownOnes() {
        SchemaValidator.Result r = inventory.validate("target", yaml("{id: 'has space', colour: red, type: x, host: 'a b', port: 0}"));
        assertThat(messages(r)).containsExactly(
                "field 'id': must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}",
                "field 'colour': unknown field (known fields: id, type, host, port, database, tls, policy, site, adminAccount, settings)",
                "field 'host': must be a host name or address without whitespace or control characters",
                "field 'port': must be between 1 and 65535");
    }

    @Test
    void nestedPathsAndLists() {
        String body = "{\"name\": \"n\", \"type\": \"change\", \"transport\": \"ssh\", \"timeout\": \"ten\", \"builtin\": true,"
                + " \"commands\": [{\"type\": \"say\", \"value\": 1}]}";
        SchemaValidator.Result r = api.validate("changer", json(body));
        assertThat(r.violations()).extracting(Violation::message).containsExactly(
                "field 'timeout': must be a whole number",
                "field 'builtin': is read-only",
                "field 'commands[0].type': must be one of expected, input",
                "field 'commands[0].value': must be a string");
        assertThat(r.value().get("transport").asText()).isEqualTo("SSH");
        assertThat(messages(api.validate("changer", json("{\"name\": \"n\", \"type\": \"change\", \"transport\": \"SSH\","
                + " \"timeout\": 5, \"commands\": []}")))).containsExactly("field 'commands': must be a non-empty list");
        assertThat(messages(api.validate("template", json("{\"id\": \"t\", \"vaultTarget\": \"v\", \"namePattern\": \"{account}\","
                + " \"attributes\": {\"groups\": \"dba\", \"bad name\": []}}")))).containsExactly(
                "field 'attributes': the name 'bad name' must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}",
                "field 'attributes.groups': must be a list");
    }

    @Test
    void aWorkflowRequestIsCheckedAgainstItsOwnDefinition() {
        String name = "workflow-request#/$defs/mass-password-reset";
        assertThat(api.validate(name, json("{\"target\": [\"pg\"], \"vaultTarget\": \"pam\", \"vaultLinkAttribute\": \"link\","
                + " \"batchSize\": 64}")).violations()).isEmpty();
        assertThat(messages(api.validate(name, json("{\"target\": 5, \"vaultTarget\": \"pam\", \"vaultLinkAttribute\": \"link\","
                + " \"batchSize\": 8}")))).containsExactly(
                "field 'target': must be a target id or a list of 1 to 100 target ids",
                "field 'batchSize': must be between 32 and 10000");
    }

    @Test
    void nullCountsAsLeftOut() {
        SchemaValidator.Result r = inventory.validate("account", json("{\"id\": \"a\", \"target\": \"t\", \"username\": \"u\", \"policy\": null}"));
        assertThat(r.violations()).isEmpty();
        assertThat(r.value().has("policy")).isFalse();
    }

    @Test
    void valuesAreNeverQuotedInMessages() {
        SchemaValidator.Result r = inventory.validate("account", json("{\"id\": \"a\", \"target\": \"t\", \"username\": \"u\","
                + " \"initialSecretEnv\": \"S3cr3t!value\"}"));
        assertThat(messages(r)).containsExactly(
                "field 'initialSecretEnv': must be the name of an environment variable ([A-Za-z_][A-Za-z0-9_]{0,254}), not a secret");
        assertThat(String.join("\n", messages(inventory.validateSettings("postgresql", json("{\"maxPoolSize\": \"hunter2\"}")))))
                .doesNotContain("hunter2");
    }

    @Test
    void suggestionsNeedToBeClose() {
        assertThat(Suggestions.closest("sslrotcert", List.of("maxPoolSize", "sslrootcert"))).contains("sslrootcert");
        assertThat(Suggestions.closest("maxPoolsize", List.of("maxPoolSize"))).contains("maxPoolSize");
        assertThat(Suggestions.closest("ssl", List.of("sslrootcert"))).isEmpty();
        assertThat(Suggestions.closest("host", List.of("port"))).isEmpty();
        assertThat(Suggestions.distance("abcd", "abdc")).isEqualTo(1);
    }
}
