package io.rotor.connector.https;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Secret;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SecretBodiesTest {
    private static final String AWKWARD = "p\"w\\d&=+ %é/\u2028";

    @Test
    void aSecretInJsonIsEscapedAndReadsBackExactly() throws Exception {
        Secret secret = Secret.fromUtf8(AWKWARD.getBytes(StandardCharsets.UTF_8));
        byte[] body = SecretBodies.json(g -> {
            g.writeStartObject();
            g.writeFieldName("NewPassword");
            SecretBodies.writeSecret(g, secret);
            g.writeEndObject();
        });
        assertThat(new ObjectMapper().readTree(body).path("NewPassword").asText()).isEqualTo(AWKWARD);
    }

    @Test
    void aSecretInAFormIsPercentEncodedAndReadsBackExactly() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("grant_type", "client_credentials");
        fields.put("client_secret", Secret.fromUtf8(AWKWARD.getBytes(StandardCharsets.UTF_8)));
        String form = new String(SecretBodies.form(fields), StandardCharsets.US_ASCII);
        assertThat(form).startsWith("grant_type=client_credentials&client_secret=").doesNotContain("\"", "&=", " ");
        assertThat(URLDecoder.decode(form.substring(form.indexOf("client_secret=") + 14), StandardCharsets.UTF_8)).isEqualTo(AWKWARD);
    }
}
