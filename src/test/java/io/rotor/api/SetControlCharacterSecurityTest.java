package io.rotor.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Slot;
import io.rotor.vault.StoredCredential;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kill-line attack through the real REST API (Camel Main, platform-http, the shipped routes, the real vault):
 * {@code POST /api/v1/accounts/bob/set {"value":"\u0015root:Pwned1!"}} typed into {@code chpasswd} on a terminal
 * would set root's password. It is refused with 400 naming the problem, never the value, and nothing changes:
 * neither the vault nor the target nor the audit trail.
 */
class SetControlCharacterSecurityTest extends ApiSecurityTestSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        super.bindToRegistry(registry);
        addAccount("root");
    }

    private HttpResponse<String> set(String account, String json) throws Exception {
        return send("POST", "/api/v1/accounts/" + account + "/set", json,
                "Authorization", "Bearer " + operatorToken, "Content-Type", "application/json");
    }

    private String state() {
        StringBuilder s = new StringBuilder();
        for (String id : new String[]{"bob", "root"}) {
            s.append(id).append(' ').append(vault.accounts().findAccount(id).orElseThrow().status()).append(' ');
            for (Slot slot : Slot.values()) {
                vault.credentials().read(id, slot).ifPresent(c -> {
                    try (StoredCredential credential = c) {
                        s.append(slot).append('=').append(credential.version()).append(':')
                                .append(credential.secret().reveal().hashCode()).append(' ');
                    }
                });
            }
            s.append('\n');
        }
        vault.audit().trail(null, 10_000).stream().filter(a -> !a.operation().startsWith("API_"))
                .forEach(a -> s.append(a.operation()).append(' ').append(a.accountId()).append('\n'));
        return s.append(target.passwords).toString();
    }

    @Test
    void theKillLineValueIsRefusedWith400OnEveryVariantAndNothingChanges() throws Exception {
        String before = state();
        // JSON escapes, as a client would send them: ^U, ^W, DEL, ^H, ESC, TAB
        String[] attacks = {"\\u0015root:Pwned1!", "x\\u0017root:Pwned1!", "Pwned\\u007f1!", "Pwned\\b1!",
                "\\u001b[2Kroot:Pwned1!", "Pw\\tned1!"};
        for (String value : attacks) {
            for (String vaultOnly : new String[]{"true", "false"}) {
                HttpResponse<String> response = set("bob", "{\"value\": \"" + value + "\", \"vaultOnly\": " + vaultOnly + "}");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                JsonNode error = JSON.readTree(response.body());
                assertThat(error.get("code").asText()).isEqualTo("INVALID_FIELD");
                assertThat(error.get("message").asText()).contains("field 'value'").contains("control character")
                        .containsPattern("U\\+00[0-9A-F]{2}").contains("position");
                assertThat(response.body()).doesNotContain("Pwned").doesNotContain("root:");
            }
        }
        assertThat(state()).isEqualTo(before);
        assertThat(target.passwords).containsEntry("root", INITIAL).containsEntry("bob", INITIAL);
        assertThat(target.lastChange).as("no connector was asked to change anything").isNull();
    }

    @Test
    void theSameRequestWithoutTheControlCharacterIsAccepted() throws Exception {
        HttpResponse<String> response = set("bob", "{\"value\": \"root:Pwned1!\", \"vaultOnly\": true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
}
