package io.rotor.api;

import io.rotor.domain.Role;
import io.rotor.domain.ServiceAccount;
import io.rotor.domain.TokenInfo;
import io.rotor.vault.AuditLog;
import io.rotor.vault.AuditRecord;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates one API request from its {@code Authorization} header — {@code Bearer <token>} or
 * {@code Basic <base64(username:password)>} — and checks its {@link Permission}. Every attempt, successful or
 * not, is written to the audit trail (operation {@code API_LOGIN}) without the credential; a refused
 * permission is audited as {@code API_DENIED}. When the audit trail cannot be written the request is refused.
 *
 * <p>PBKDF2 makes a Basic check deliberately slow; a successful check is remembered under an HMAC of the
 * credentials (with a key that lives only in this process) together with the stored hash it matched, so the next
 * request with the same credentials costs one lookup, and a changed or deleted service account is refused at once.
 * An unknown username costs a full PBKDF2 check too, so timing does not tell which usernames exist.
 *
 * <p>Brute force and floods meet a {@link LoginThrottle}: a locked principal or client address is refused with
 * 429 and {@code Retry-After} before any password is checked (the cheap pre-check), and so is a password check
 * when all check slots are busy. Those refusals are not audited one by one: the start of each lockout is
 * ({@code API_LOCKOUT}), with the number of attempts the key's previous lockout refused.
 */
public class Authenticator {
    public static final String CHALLENGE = "Basic realm=\"rotor\", Bearer";
    private static final int CACHE_LIMIT = 1024;

    private final AuthStore store;
    private final AuditLog audit;
    private final String decoy = Credentials.decoyHash();
    private final byte[] cacheKey = new byte[32];
    private final Map<String, String> verified = new ConcurrentHashMap<>();
    private final LoginThrottle throttle;

    public Authenticator(AuthStore store, AuditLog audit) {
        this(store, audit, LoginThrottle.defaults(java.time.Clock.systemUTC()));
    }

    public Authenticator(AuthStore store, AuditLog audit, LoginThrottle throttle) {
        this.store = store;
        this.audit = audit;
        this.throttle = throttle;
        new SecureRandom().nextBytes(cacheKey);
    }

    /**
     * Authenticates and authorises one request.
     *
     * @param authorization the {@code Authorization} header, may be null
     * @param request       e.g. {@code POST /api/v1/accounts/a1/rotate}, for the audit trail
     * @throws ApiException 401 (no or bad credentials), 403 (role lacks the permission), 503 (audit unavailable)
     */
    public Principal authorize(String authorization, Permission permission, String request) {
        return authorize(authorization, null, permission, request);
    }

    /**
     * As {@link #authorize(String, Permission, String)}, from the client at {@code address} (null when unknown).
     *
     * @throws ApiException also 429 with a {@code Retry-After} when the principal or address is locked out
     */
    public Principal authorize(String authorization, String address, Permission permission, String request) {
        Principal principal = authenticate(authorization, address, request);
        if (!permission.allows(principal.role())) {
            audit(principal.actor(), "API_DENIED", "DENIED", "role " + principal.role().configName() + " may not "
                    + permission.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + request);
            throw new ApiException(403, "FORBIDDEN", "role '" + principal.role().configName() + "' may not do this;"
                    + " it needs one of: " + permission.roles().stream().map(Role::configName).sorted().toList());
        }
        return principal;
    }

    /** @throws ApiException 401 when the header is missing, malformed or names no valid credential */
    public Principal authenticate(String authorization, String request) {
        return authenticate(authorization, null, request);
    }

    /** @throws ApiException 401 as above; 429 when {@code address} is locked out or every check slot is busy */
    public Principal authenticate(String authorization, String address, String request) {
        String addressKey = LoginThrottle.addressKey(address);
        refuseWhileLocked(addressKey);
        // no credentials at all is a client's first try (some wait for the challenge), not a guess: not counted
        boolean anonymous = authorization == null || authorization.isBlank();
        Attempt attempt = new Attempt(request, anonymous ? null : addressKey);
        if (authorization == null || authorization.isBlank()) {
            return fail("api:anonymous", "no credentials", attempt);
        }
        String header = authorization.trim();
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Bearer")) {
            return bearer(value, attempt);
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            return basic(value, attempt);
        }
        if (space < 0 && !scheme.equalsIgnoreCase("Bearer")) {
            // the Fudo API's curl examples send the bare token: "Authorization: <token>"
            return bearer(header, attempt);
        }
        return fail("api:anonymous", "unsupported authorization scheme (use Bearer or Basic)", attempt);
    }

    /** One authentication attempt: what it asked for, and the throttle keys its failure counts against. */
    private static final class Attempt {
        final String request;
        final String addressKey;
        String principalKey;

        Attempt(String request, String addressKey) {
            this.request = request;
            this.addressKey = addressKey;
        }
    }

    private void refuseWhileLocked(String... keys) {
        throttle.retryAfter(keys).ifPresent(wait -> {
            throw ApiException.tooManyRequests(wait, "too many failed logins; try again later");
        });
    }

    /** PBKDF2 in one of the bounded check slots; 429 at once when none is free. */
    private boolean verifyPassword(char[] password, String stored) {
        if (!throttle.tryStartCheck()) {
            throw ApiException.tooManyRequests(LoginThrottle.BUSY_RETRY_AFTER, "too many logins at once; try again shortly");
        }
        try {
            return Credentials.verifyPassword(password, stored);
        } finally {
            throttle.endCheck();
        }
    }

    private Principal bearer(String token, Attempt request) {
        if (token.isEmpty() || token.length() > Credentials.MAX_TOKEN_LENGTH) {
            return fail("api:token:?", "malformed bearer token", request);
        }
        Optional<TokenInfo> found = store.findActiveToken(Credentials.tokenHash(token));
        if (found.isEmpty()) {
            return fail("api:token:?", "unknown or revoked bearer token", request);
        }
        Principal principal = new Principal(Principal.TOKEN, found.get().name(), found.get().role());
        return succeed(principal, request.request);
    }

    private Principal basic(String encoded, Attempt request) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            return fail("api:service-account:?", "malformed Basic credentials (not base64)", request);
        }
        char[] password = null;
        try {
            int colon = indexOf(raw, (byte) ':');
            if (colon < 0) {
                return fail("api:service-account:?", "malformed Basic credentials (no ':')", request);
            }
            String username;
            try {
                username = decode(raw, 0, colon).toString();
                password = toChars(decode(raw, colon + 1, raw.length - colon - 1));
            } catch (CharacterCodingException e) {
                return fail("api:service-account:?", "malformed Basic credentials (not UTF-8)", request);
            }
            return serviceAccount(username, password, request);
        } finally {
            Arrays.fill(raw, (byte) 0);
            if (password != null) {
                Arrays.fill(password, '\0');
            }
        }
    }

    /**
     * Signs a service account in with its username and password (the console's sign-in form): the same checks,
     * lockouts, audit records and answers as HTTP Basic. The caller wipes {@code password}.
     *
     * @throws ApiException 401 (unknown, wrong or malformed), 429 (locked out or every check slot busy), 503 (audit)
     */
    public Principal authenticateServiceAccount(String username, char[] password, String address, String request) {
        String addressKey = LoginThrottle.addressKey(address);
        refuseWhileLocked(addressKey);
        return serviceAccount(username == null ? "" : username, password == null ? new char[0] : password,
                new Attempt(request, addressKey));
    }

    private Principal serviceAccount(String username, char[] password, Attempt request) {
        boolean validName = AuthStore.NAME.matcher(username).matches();
        String actor = "api:service-account:" + (validName ? username : "?");
        if (validName) {
            request.principalKey = LoginThrottle.principalKey(username);
            refuseWhileLocked(request.principalKey, request.addressKey);
        }
        if (!validName || password.length > Credentials.MAX_PASSWORD_LENGTH) {
            verifyPassword(password, decoy);
            return fail(actor, validName ? "password too long" : "a username that is not a valid name", request);
        }
        Optional<ServiceAccount> account = store.findServiceAccount(username);
        String stored = account.map(ServiceAccount::passwordHash).orElse(decoy);
        String key = cacheKey(username, password);
        boolean ok = stored.equals(verified.get(key)) || verifyPassword(password, stored);
        if (account.isEmpty()) {
            return fail(actor, "unknown service account", request);
        }
        if (!ok) {
            verified.remove(key);
            return fail(actor, "wrong password", request);
        }
        if (verified.size() >= CACHE_LIMIT) {
            verified.clear();
        }
        verified.put(key, stored);
        throttle.succeeded(request.principalKey);
        return succeed(new Principal(Principal.SERVICE_ACCOUNT, username, account.get().role()), request.request);
    }

    private Principal succeed(Principal principal, String request) {
        audit(principal.actor(), "API_LOGIN", "SUCCEEDED", principal.kind() + " '" + principal.name() + "' (role "
                + principal.role().configName() + "): " + request);
        return principal;
    }

    private Principal fail(String actor, String reason, Attempt attempt) {
        audit(actor, "API_LOGIN", "FAILED", reason + ": " + attempt.request);
        throttle.failed(attempt.principalKey, attempt.addressKey).ifPresent(lockout -> audit(actor, "API_LOCKOUT",
                "LOCKED", lockout.key() + " locked for " + lockout.duration() + " after repeated failed logins"
                        + (lockout.refusedBefore() > 0 ? "; its previous lockout refused " + lockout.refusedBefore()
                        + " attempt(s), not recorded one by one" : "")));
        throw new ApiException(401, "UNAUTHENTICATED", "authentication required: send Authorization: Bearer <token>"
                + " or HTTP Basic service-account credentials");
    }

    private void audit(String actor, String operation, String outcome, String detail) {
        try {
            audit.record(AuditRecord.of(actor, operation, null, null, null, outcome, detail));
        } catch (RuntimeException e) {
            throw new ApiException(503, "AUDIT_UNAVAILABLE", "the audit trail cannot be written; the request was refused");
        }
    }

    private String cacheKey(String username, char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            mac.update(username.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            byte[] copy = new byte[bytes.remaining()];
            bytes.get(copy);
            Arrays.fill(bytes.array(), (byte) 0);
            try {
                return HexFormat.of().formatHex(mac.doFinal(copy));
            } finally {
                Arrays.fill(copy, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static CharBuffer decode(byte[] bytes, int offset, int length) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, offset, length));
    }

    private static char[] toChars(CharBuffer buffer) {
        char[] chars = new char[buffer.remaining()];
        buffer.get(chars);
        if (buffer.hasArray()) {
            Arrays.fill(buffer.array(), '\0');
        }
        return chars;
    }
}
