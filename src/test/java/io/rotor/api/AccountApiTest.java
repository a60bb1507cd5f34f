package io.rotor.api;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The set body and JSON reading rules; the routes around them are in ApiRoutesTest. */
class AccountApiTest {
    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void refused(String body, String code, String message) {
        assertThatThrownBy(() -> AccountApi.parseSet(json(body))).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message).doesNotContain("s3cret-value");
        });
    }

    @Test
    void aGivenValueIsReadIntoASecret() {
        AccountApi.ParsedSet set = AccountApi.parseSet(json("{\"value\": \"s3cret-value \\\"q\\\" \\\\ ;\", \"vaultOnly\": true}"));

        assertThat(set.value().reveal()).isEqualTo("s3cret-value \"q\" \\ ;");
        assertThat(set.request().vaultOnly()).isTrue();
        assertThat(set.toString()).doesNotContain("s3cret");
    }

    @Test
    void generateNeedsNoValue() {
        AccountApi.ParsedSet set = AccountApi.parseSet(json("{\"generate\": true, \"vaultOnly\": false}"));

        assertThat(set.value()).isNull();
        assertThat(set.request().generate()).isTrue();
        assertThat(set.request().vaultOnly()).isFalse();
    }

    @Test
    void badSetBodiesNameTheField() {
        refused("{\"value\": \"s3cret-value\", \"generate\": true}", "INVALID_FIELD", "field 'generate'");
        refused("{\"vaultOnly\": true}", "INVALID_FIELD", "field 'value': is required unless generate is true");
        refused("{\"generate\": false}", "INVALID_FIELD", "field 'value'");
        refused("{\"value\": 12}", "INVALID_FIELD", "field 'value': must be a string");
        refused("{\"value\": \"s3cret-value\", \"vaultOnly\": \"yes\"}", "INVALID_FIELD", "field 'vaultOnly': must be true or false");
        refused("{\"value\": \"s3cret-value\", \"password\": \"s3cret-value\"}", "UNKNOWN_FIELD", "field 'password': unknown field");
        refused("{\"value\": \"s3cret-value\"", "MALFORMED_JSON", "line 1");
        refused("{\"value\": \"s3cret-value\"} {}", "MALFORMED_JSON", "unexpected content");
        refused("[\"s3cret-value\"]", "MALFORMED_JSON", "must be a JSON object");
        refused("", "MALFORMED_JSON", "must be a JSON object");
        refused("{\"value\": \"s3cret-value\", \"value\": \"s3cret-value\"}", "MALFORMED_JSON", "field 'value' appears more than once");
    }

    @Test
    void readObjectRefusesWhatIsNotOneJsonObject() {
        assertThat(ApiJson.readObject(json("{\"id\": \"a\"}")).get("id").asText()).isEqualTo("a");
        for (String bad : new String[]{"", "[]", "12", "{\"id\": \"a\",}", "{\"id\": \"a\"} x", "{'id': 'a'}",
                "{\"id\": \"a\", \"id\": \"b\"}"}) {
            assertThatThrownBy(() -> ApiJson.readObject(json(bad))).as(bad).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.code()).isEqualTo("MALFORMED_JSON"));
        }
    }

    @Test
    void onlyJsonBodiesAreAccepted() {
        ApiJson.requireJson("application/json");
        ApiJson.requireJson("application/json; charset=utf-8");
        ApiJson.requireJson("application/merge-patch+json");
        for (String type : new String[]{null, "", "text/plain", "application/x-www-form-urlencoded"}) {
            assertThatThrownBy(() -> ApiJson.requireJson(type)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.status()).isEqualTo(415));
        }
    }
}
