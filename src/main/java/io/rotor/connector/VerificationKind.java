package io.rotor.connector;

/**
 * What a connector's verify proves. {@link #LOGIN}: a fresh login with the credential succeeded, so recovery can
 * probe which stored version works. {@link #CONFIRMED}: the target offers no login Rotor can perform (a cloud
 * console password), so verify only confirms through the admin API that the change was applied; recovery after an
 * unknown outcome cannot probe and re-applies PENDING through the admin API (an idempotent set) before committing.
 * See docs/architecture.md, "Unknown outcomes".
 */
public enum VerificationKind { LOGIN, CONFIRMED }
