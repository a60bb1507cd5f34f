package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.rotor.domain.Secret;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/**
 * A Google service-account key (the JSON key file, stored in the vault as the admin account's secret) and the
 * RS256-signed JWT of the OAuth 2.0 JWT bearer grant made with it. Errors name the field, never a value of the key.
 */
final class ServiceAccountKey {
    private final String clientEmail;
    private final String keyId;
    private final PrivateKey privateKey;

    private ServiceAccountKey(String clientEmail, String keyId, PrivateKey privateKey) {
        this.clientEmail = clientEmail;
        this.keyId = keyId;
        this.privateKey = privateKey;
    }

    /** @throws IllegalArgumentException naming the field that is missing or wrong */
    static ServiceAccountKey parse(Secret keyFile) {
        JsonNode json;
        try {
            json = CloudHttp.JSON.readTree(keyFile.utf8());
        } catch (Exception e) {
            throw new IllegalArgumentException("the service-account key is not a JSON key file");
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("the service-account key is not a JSON key file");
        }
        if (!"service_account".equals(json.path("type").asText())) {
            throw new IllegalArgumentException("the key file's field type must be service_account");
        }
        String email = json.path("client_email").asText("");
        if (!email.matches("^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$")) {
            throw new IllegalArgumentException("the key file's field client_email is missing or not an email address");
        }
        String keyId = json.path("private_key_id").asText("");
        if (!keyId.matches("^[A-Za-z0-9]{1,128}$")) {
            throw new IllegalArgumentException("the key file's field private_key_id is missing or malformed");
        }
        String pem = json.path("private_key").asText("");
        String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        if (!pem.contains("-----BEGIN PRIVATE KEY-----") || base64.isEmpty()) {
            throw new IllegalArgumentException("the key file's field private_key must be a PEM PKCS#8 RSA private key");
        }
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            java.util.Arrays.fill(der, (byte) 0);
            return new ServiceAccountKey(email, keyId, key);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the key file's field private_key must be a PEM PKCS#8 RSA private key");
        }
    }

    String clientEmail() {
        return clientEmail;
    }

    /** The signed assertion: iss = client_email, sub = the impersonated admin, scope, aud = the token URI, one hour. */
    String assertion(String subject, String scope, String audience, Instant now) {
        Map<String, Object> header = CloudHttp.object("alg", "RS256", "typ", "JWT", "kid", keyId);
        Map<String, Object> claims = CloudHttp.object("iss", clientEmail, "sub", subject, "scope", scope,
                "aud", audience, "iat", now.getEpochSecond(), "exp", now.getEpochSecond() + 3600);
        try {
            String signingInput = b64(CloudHttp.JSON.writeValueAsBytes(header)) + "." + b64(CloudHttp.JSON.writeValueAsBytes(claims));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(privateKey);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(rs256.sign());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign the JWT with the service-account key: " + e.getClass().getSimpleName());
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
