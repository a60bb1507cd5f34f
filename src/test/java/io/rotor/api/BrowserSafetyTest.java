package io.rotor.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrowserSafetyTest {
    private static final String BASIC = "Basic dTpw";

    @Test
    void safeMethodsNeedNothing() {
        for (String method : new String[]{"GET", "HEAD", "OPTIONS", "get"}) {
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, null, null, BASIC)).doesNotThrowAnyException();
        }
    }

    @Test
    void aStateChangingRequestNeedsJsonOrTheCsrfHeader() {
        for (String method : new String[]{"POST", "PUT", "PATCH", "DELETE"}) {
            for (String type : new String[]{null, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
                assertThatThrownBy(() -> BrowserSafety.requireNonSimpleRequest(method, type, null, BASIC))
                        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(415));
                assertThatThrownBy(() -> BrowserSafety.requireNonSimpleRequest(method, type, " ", BASIC))
                        .isInstanceOf(ApiException.class);
            }
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, "application/json; charset=utf-8", null, BASIC))
                    .doesNotThrowAnyException();
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, "application/merge-patch+json", null, BASIC))
                    .doesNotThrowAnyException();
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, null, "x", BASIC)).doesNotThrowAnyException();
        }
    }

    @Test
    void tokenRequestsAreNotBrowserAttachedAndPass() {
        for (String token : new String[]{"Bearer abc", "sgfeea6jsaz4mum9su8w61877n1g06sk", null}) {
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest("POST", null, null, token)).doesNotThrowAnyException();
        }
        assertThatThrownBy(() -> BrowserSafety.requireNonSimpleRequest("POST", null, null, "basic dTpw"))
                .isInstanceOf(ApiException.class);
    }
}
