package io.rotor.connector.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.rotor.domain.Secret;
import io.rotor.domain.Target;
import io.rotor.schema.SchemaValidator;
import io.rotor.schema.Violation;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.iam.model.AccessKeyMetadata;
import software.amazon.awssdk.services.iam.model.StatusType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad settings and malformed keys are refused with an error that names the field; the two-keys rule. */
class AwsIamSettingsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final SchemaValidator inventory = SchemaValidator.forInventory();

    private List<String> schemaMessages(String yaml) throws Exception {
        return inventory.validateSettings("aws-iam", YAML.readTree(yaml)).violations().stream().map(Violation::toString).toList();
    }

    private static Target target(Map<String, String> settings) {
        return new Target("aws", "aws-iam", "iam.amazonaws.com", 443, null, null, null, null, settings);
    }

    private static Secret s(String v) {
        return Secret.fromUtf8(v.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSchemaRefusesARegionAKeyIdAndAnEndpointOfTheWrongShapeNamingTheField() throws Exception {
        assertThat(schemaMessages("region: US-EAST-1\n")).singleElement().asString().contains("region").contains("us-east-1");
        assertThat(schemaMessages("region: useast1\n")).singleElement().asString().contains("region");
        assertThat(schemaMessages("adminAccessKeyId: AKIA1234\n")).singleElement().asString()
                .contains("adminAccessKeyId").contains("AKIA or ASIA");
        assertThat(schemaMessages("adminAccessKeyId: akiaiosfodnn7example\n")).singleElement().asString().contains("adminAccessKeyId");
        assertThat(schemaMessages("endpoint: ftp://127.0.0.1:5055\n")).singleElement().asString().contains("endpoint");
        assertThat(schemaMessages("endpoint: http://127.0.0.1:5055/x?y\n")).singleElement().asString().contains("endpoint");
        assertThat(schemaMessages("credential: password\n")).singleElement().asString().contains("credential");
        assertThat(schemaMessages("regoin: us-east-1\n")).singleElement().asString().contains("did you mean 'region'");
        assertThat(schemaMessages("region: eu-central-1\nadminAccessKeyId: AKIAIOSFODNN7EXAMPLE\nendpoint: https://iam.amazonaws.com\n"
                + "credential: access-key\nkeyPropagationSeconds: 10\n")).isEmpty();
    }

    @Test
    void theFactoryRefusesTheSameThingsWhenTheConnectorIsMade() {
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("region", "US-EAST-1"))))
                .hasMessageContaining("'region'");
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("adminAccessKeyId", "AKIA123"))))
                .hasMessageContaining("'adminAccessKeyId'");
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("endpoint", "iam.amazonaws.com"))))
                .hasMessageContaining("'endpoint'");
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("credential", "key"))))
                .hasMessageContaining("'credential'");
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("readTimeoutSeconds", "0"))))
                .hasMessageContaining("'readTimeoutSeconds'");
        assertThatThrownBy(() -> new AwsIamConnectorFactory().create(target(Map.of("region", "mars-1"))))
                .hasMessageContaining("'region'");
    }

    @Test
    void plainHttpIsAcceptedOnLoopbackOnly() {
        // a console password travels in the body of UpdateLoginProfile
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("endpoint", "http://iam.example.com"))))
                .hasMessageContaining("'endpoint'").hasMessageContaining("loopback");
        assertThatThrownBy(() -> AwsIamSettings.of(target(Map.of("stsEndpoint", "http://10.0.0.1:80"))))
                .hasMessageContaining("'stsEndpoint'");
        AwsIamSettings local = AwsIamSettings.of(target(Map.of("endpoint", "http://127.0.0.1:5055")));
        assertThat(local.stsEndpoint()).as("STS on the same endpoint unless told otherwise").isEqualTo(local.endpoint());
        assertThat(AwsIamSettings.of(target(Map.of())).endpoint()).as("AWS's own endpoints").isNull();
    }

    @Test
    void anAccessKeyOfTheWrongShapeIsRefusedWithoutRepeatingIt() {
        AccessKey ok = AccessKey.parse(s("AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "x");
        assertThat(ok.id()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
        assertThat(ok.secret().reveal()).isEqualTo("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assertThat(ok.toString()).doesNotContain("wJalr");
        assertThatThrownBy(() -> AccessKey.parse(s("AKIAIOSFODNN7EXAMPL:topsecret"), "the admin account's access key"))
                .hasMessageContaining("the admin account's access key").hasMessageContaining("AKIA or ASIA")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> AccessKey.parse(s("akiaiosfodnn7example:topsecret"), "f")).hasMessageContaining("access key id");
        assertThatThrownBy(() -> AccessKey.parse(s("just-a-password"), "f")).hasMessageContaining("no ':'")
                .hasMessageNotContaining("just-a-password");
        assertThatThrownBy(() -> AccessKey.parse(s("AKIAIOSFODNN7EXAMPLE:"), "f")).hasMessageContaining("empty");
        assertThatThrownBy(() -> AccessKey.parse(s("AKIAIOSFODNN7EXAMPLE:ab\ncd"), "f")).hasMessageContaining("control");
        assertThat(AccessKey.parse(s("ASIAIOSFODNN7EXAMPLE:x:y"), "f").secret().reveal()).as("split at the first colon").isEqualTo("x:y");
        assertThat(AccessKey.hasShape(s("AKIAIOSFODNN7EXAMPLE:abc"))).isTrue();
        assertThat(AccessKey.hasShape(s("Rc-0a1b2c-9a!Z"))).as("a generated password is not a key").isFalse();
        assertThat(AccessKey.hasShape(null)).isFalse();
    }

    @Test
    void aConsolePasswordOutsideWhatIamTakesIsRefusedBeforeSending() {
        assertThat(AwsIamConnector.passwordProblem(s("Good-Passw0rd!"))).isNull();
        assertThat(AwsIamConnector.passwordProblem(s("x".repeat(129)))).contains("128");
        assertThat(AwsIamConnector.passwordProblem(s("tab\there"))).contains("printable");
        assertThat(AwsIamConnector.passwordProblem(s("snow\u2603man"))).contains("U+00FF");
    }

    private static AccessKeyMetadata key(String id, StatusType status) {
        return AccessKeyMetadata.builder().accessKeyId(id).status(status).build();
    }

    @Test
    void theTwoKeysRule() {
        String current = "AKIACURRENT000000001";
        String other = "AKIAOTHER00000000002";
        // an inactive leftover next to the current key goes first
        AwsIamConnector.KeyPlan leftover = AwsIamConnector.KeyPlan.of(
                List.of(key(current, StatusType.ACTIVE), key(other, StatusType.INACTIVE)), current);
        assertThat(leftover.refusal()).isNull();
        assertThat(leftover.deleteFirst()).containsExactly(other);
        // two active keys: refused, nothing deleted
        AwsIamConnector.KeyPlan twoActive = AwsIamConnector.KeyPlan.of(
                List.of(key(current, StatusType.ACTIVE), key(other, StatusType.ACTIVE)), current);
        assertThat(twoActive.refusal()).contains("two access keys").contains(other).contains(current);
        assertThat(twoActive.deleteFirst()).isEmpty();
        // the current key itself is never deleted first, even when inactive
        AwsIamConnector.KeyPlan currentInactive = AwsIamConnector.KeyPlan.of(
                List.of(key(current, StatusType.INACTIVE), key(other, StatusType.ACTIVE)), current);
        assertThat(currentInactive.refusal()).isNotNull();
        // one key: nothing to do
        assertThat(AwsIamConnector.KeyPlan.of(List.of(key(current, StatusType.ACTIVE)), current).deleteFirst()).isEmpty();
        // reconcile (current unknown): an inactive key goes, active ones stay
        AwsIamConnector.KeyPlan unknown = AwsIamConnector.KeyPlan.of(
                List.of(key(current, StatusType.ACTIVE), key(other, StatusType.INACTIVE)), null);
        assertThat(unknown.deleteFirst()).containsExactly(other);
    }
}
