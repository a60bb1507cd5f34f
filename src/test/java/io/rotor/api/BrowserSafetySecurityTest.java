package io.rotor.api;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cross-site request forgery through a browser that has cached Basic credentials: a page on another site can send
 * a form POST ({@code text/plain}, {@code application/x-www-form-urlencoded}, {@code multipart/form-data}) or a
 * body-less POST, and the browser adds the credentials. Rotor refuses each with 415 and nothing changes on the
 * target, in the vault or in the audit trail; the same request with a JSON content type or the CSRF header (which a
 * cross-site page cannot send without a preflight) goes through. Every answer carries the browser-safety headers.
 */
class BrowserSafetySecurityTest extends ApiSecurityTestSupport {

    @Test
    void aCrossSiteSimplePostWithCachedBasicCredentialsIsRefusedAndChangesNothing() throws Exception {
        String credentials = basic(SERVICE_ACCOUNT, SERVICE_PASSWORD);
        List<String> auditBefore = changesInAudit();
        String[][] simpleRequests = {
                {},
                {"Content-Type", "text/plain"},
                {"Content-Type", "application/x-www-form-urlencoded"},
                {"Content-Type", "multipart/form-data; boundary=x"},
        };
        for (String[] contentType : simpleRequests) {
            String[] headers = new String[contentType.length + 2];
            headers[0] = "Authorization";
            headers[1] = credentials;
            System.arraycopy(contentType, 0, headers, 2, contentType.length);
            HttpResponse<String> answer = send("POST", "/api/v1/accounts/bob/rotate", contentType.length == 0 ? null : "a=b", headers);
            assertThat(answer.statusCode()).as("POST with %s", List.of(contentType)).isEqualTo(415);
            assertThat(answer.body()).contains("UNSUPPORTED_MEDIA_TYPE").contains(BrowserSafety.CSRF_HEADER);
        }
        HttpResponse<String> delete = send("DELETE", "/api/v1/accounts/bob", null, "Authorization", credentials);
        assertThat(delete.statusCode()).isEqualTo(415);

        assertThat(target.passwords).containsEntry("bob", INITIAL);
        assertThat(target.lastChange).isNull();
        assertThat(changesInAudit()).isEqualTo(auditBefore);
        assertThat(vault.accounts().findAccount("bob")).isPresent();
    }

    @Test
    void aTokenRequestIsNotBrowserAttachedSoABodylessPostPasses() throws Exception {
        // the seeds' curl commands send a token and no content type on body-less POSTs (Fudo's trigger_password_changer)
        HttpResponse<String> answer = send("POST", "/api/v1/accounts/bob/rotate", null, "Authorization", "Bearer " + operatorToken);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(target.passwords.get("bob")).isNotEqualTo(INITIAL);
    }

    @Test
    void theSameRequestWithJsonOrTheCsrfHeaderGoesThrough() throws Exception {
        String credentials = basic(SERVICE_ACCOUNT, SERVICE_PASSWORD);
        HttpResponse<String> json = send("POST", "/api/v1/accounts/bob/rotate", null,
                "Authorization", credentials, "Content-Type", "application/json");
        assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
        assertThat(target.passwords.get("bob")).isNotEqualTo(INITIAL);

        String afterFirst = target.passwords.get("bob");
        HttpResponse<String> csrf = send("POST", "/api/v1/accounts/bob/rotate", null,
                "Authorization", credentials, BrowserSafety.CSRF_HEADER, "1");
        assertThat(csrf.statusCode()).as(csrf.body()).isEqualTo(200);
        assertThat(target.passwords.get("bob")).isNotEqualTo(afterFirst);
    }

    @Test
    void everyAnswerCarriesTheBrowserSafetyHeadersAndTheSecretIsNeverCached() throws Exception {
        HttpResponse<String> checkout = send("POST", "/api/v1/accounts/bob/checkout", null,
                "Authorization", "Bearer " + operatorToken, "Content-Type", "application/json");
        assertThat(checkout.statusCode()).as(checkout.body()).isEqualTo(200);
        assertThat(checkout.body()).contains(INITIAL);
        HttpResponse<String> list = send("GET", "/api/v1/accounts", null, "Authorization", "Bearer " + operatorToken);
        HttpResponse<String> refused = send("GET", "/api/v1/accounts", null);
        HttpResponse<String> unknown = send("GET", "/api/v1/no-such-thing", null, "Authorization", "Bearer " + operatorToken);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(unknown.statusCode()).isEqualTo(404);
        for (HttpResponse<String> answer : List.of(checkout, list, refused, unknown)) {
            assertThat(answer.headers().firstValue("Cache-Control")).as(answer.uri().toString()).hasValue("no-store");
            assertThat(answer.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(answer.headers().firstValue("Content-Security-Policy")).hasValue(BrowserSafety.CONTENT_SECURITY_POLICY);
        }
    }
}
