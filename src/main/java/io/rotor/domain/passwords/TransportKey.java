package io.rotor.domain.passwords;

import java.time.Instant;

/**
 * The public half of a transport key pair: clients encrypt a new password with it (RSA PKCS#1 v1.5) and send
 * back its {@code publicKeyId}. The private half stays sealed in the vault.
 *
 * @param publicKey base64 of the DER X.509 SubjectPublicKeyInfo
 * @param retiredAt null for the key being served; a retired key is accepted until its grace period ends
 */
public record TransportKey(String id, String publicKey, Instant createdAt, String createdBy, Instant retiredAt) {
}
