package io.rotor.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrowserSafetyTest {

    @Test
    void safeMethodsNeedNothing() {
        for (String method : new String[]{"GET", "HEAD", "OPTIONS", "get"}) {
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, null, null)).doesNotThrowAnyException();
        }
    }

    @Test
    void aStateChangingRequestNeedsJsonOrTheCsrfHeader() {
        for (String method : new String[]{"POST", "PUT", "PATCH", "DELETE"}) {
            for (String type : new String[]{null, "", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
                assertThatThrownBy(() -> BrowserSafety.requireNonSimpleRequest(method, type, null))
                        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(415));
                assertThatThrownBy(() -> BrowserSafety.requireNonSimpleRequest(method, type, " "))
                        .isInstanceOf(ApiException.class);
            }
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, "application/json; charset=utf-8", null))
                    .doesNotThrowAnyException();
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, "application/merge-patch+json", null))
                    .doesNotThrowAnyException();
            assertThatCode(() -> BrowserSafety.requireNonSimpleRequest(method, null, "x")).doesNotThrowAnyException();
        }
    }
}
