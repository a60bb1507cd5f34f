package io.rotor.api;

import io.rotor.vault.AuditRecord;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password guessing and login floods through the real REST API. Five wrong Basic passwords lock the service account
 * and the client's address for 15 minutes: then even the right password is refused with 429 and
 * {@code Retry-After}, before any PBKDF2 check, and the refusals are coalesced into the one {@code API_LOCKOUT}
 * audit record instead of one row each. When every password-check slot is busy a login is refused with 429 at once.
 * Time is a test clock; nothing sleeps.
 */
class LoginLockoutSecurityTest extends ApiSecurityTestSupport {
    private final LoginThrottleTest.TestClock clock = new LoginThrottleTest.TestClock();
    private final LoginThrottle throttle = new LoginThrottle(clock, 5, Duration.ofMinutes(15), Duration.ofHours(24), 2);

    @Override
    Authenticator authenticator(AuthStore store, Vault vault) {
        return new Authenticator(store, vault.audit(), throttle);
    }

    private HttpResponse<String> listAccounts(String authorization) throws Exception {
        return send("GET", "/api/v1/accounts", null, "Authorization", authorization);
    }

    private List<AuditRecord> logins() {
        return vault.audit().trail(null, 10_000).stream().filter(a -> a.operation().startsWith("API_")).toList();
    }

    @Test
    void guessingLocksThePrincipalAndTheAddressAndRefusalsAreCoalescedInTheAudit() throws Exception {
        int before = logins().size();
        for (int i = 0; i < 5; i++) {
            assertThat(listAccounts(basic(SERVICE_ACCOUNT, "guess-" + i)).statusCode()).isEqualTo(401);
        }
        List<AuditRecord> afterGuesses = logins();
        assertThat(afterGuesses).hasSize(before + 6);
        assertThat(afterGuesses.get(0).operation()).isEqualTo("API_LOCKOUT");
        assertThat(afterGuesses.get(0).detail()).contains("locked for PT15M").doesNotContain("guess-");

        HttpResponse<String> rightPassword = listAccounts(basic(SERVICE_ACCOUNT, SERVICE_PASSWORD));
        assertThat(rightPassword.statusCode()).isEqualTo(429);
        assertThat(rightPassword.headers().firstValue("Retry-After")).hasValue("900");
        assertThat(rightPassword.body()).contains("TOO_MANY_REQUESTS").doesNotContain(SERVICE_PASSWORD);
        // the address is locked too: another name, or a valid token, from the same client waits as well
        assertThat(listAccounts(basic("someone-else", "x")).statusCode()).isEqualTo(429);
        assertThat(listAccounts("Bearer " + operatorToken).statusCode()).isEqualTo(429);
        for (int i = 0; i < 20; i++) {
            assertThat(listAccounts(basic(SERVICE_ACCOUNT, "more-" + i)).statusCode()).isEqualTo(429);
        }
        assertThat(logins()).as("refusals during the lockout write no audit row each").hasSize(afterGuesses.size());

        clock.advance(Duration.ofMinutes(10));
        assertThat(listAccounts(basic(SERVICE_ACCOUNT, SERVICE_PASSWORD)).headers().firstValue("Retry-After")).hasValue("300");
        clock.advance(Duration.ofMinutes(5));
        HttpResponse<String> afterLockout = listAccounts(basic(SERVICE_ACCOUNT, SERVICE_PASSWORD));
        assertThat(afterLockout.statusCode()).as(afterLockout.body()).isEqualTo(200);
    }

    @Test
    void theNextLockoutIsLongerAndReportsHowManyAttemptsTheLastOneRefused() throws Exception {
        for (int i = 0; i < 5; i++) {
            listAccounts(basic(SERVICE_ACCOUNT, "guess-" + i));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(listAccounts(basic(SERVICE_ACCOUNT, "during-" + i)).statusCode()).isEqualTo(429);
        }
        clock.advance(Duration.ofMinutes(15));
        for (int i = 0; i < 5; i++) {
            assertThat(listAccounts(basic(SERVICE_ACCOUNT, "again-" + i)).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> locked = listAccounts(basic(SERVICE_ACCOUNT, SERVICE_PASSWORD));
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).hasValue("1800");
        assertThat(logins().get(0).operation()).isEqualTo("API_LOCKOUT");
        assertThat(logins().get(0).detail()).contains("locked for PT30M").contains("refused 3 attempt(s)");
    }

    @Test
    void whenEveryPasswordCheckSlotIsBusyALoginIsRefusedAtOnceAndALockedOneNeverTakesASlot() throws Exception {
        assertThat(throttle.tryStartCheck()).isTrue();
        assertThat(throttle.tryStartCheck()).isTrue();
        try {
            int before = logins().size();
            HttpResponse<String> busy = listAccounts(basic("flooder", "x"));
            assertThat(busy.statusCode()).isEqualTo(429);
            assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(logins()).as("a refusal for load is not an audit row").hasSize(before);
            // a bearer token needs no PBKDF2 and still gets in
            assertThat(listAccounts("Bearer " + operatorToken).statusCode()).isEqualTo(200);
        } finally {
            throttle.endCheck();
            throttle.endCheck();
        }
    }
}
