package io.rotor.connector.https;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;

/** Plain requests to a test server (trusting its certificate), to show what it refuses. */
public final class RawHttps {
    private RawHttps() {
    }

    /** Status and body of {@code method path} with {@code headers}, no body. */
    public static HttpsCaller.Response call(int port, String method, String path, String... headers) throws Exception {
        Target target = new Target("raw", "raw", "127.0.0.1", port, null, TlsMode.VERIFY_FULL, null, null,
                Map.of("trustStore", TestTls.server().pem().toString()));
        HttpsCaller caller = new HttpsCaller(HttpsSettings.of(target));
        try {
            HttpRequest.Builder request = caller.request(URI.create("https://127.0.0.1:" + port + path));
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return caller.send(request, method, null);
        } finally {
            caller.close();
        }
    }
}
