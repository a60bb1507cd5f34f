package io.rotor.connector.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rotor.domain.Target;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * HTTPS for the cloud connectors: one {@link HttpClient} per target (HTTP/1.1, TLS checked against the JVM's CAs or
 * the PEM file in setting {@code caFile}; there is no way to switch the check off), every exchange bounded in time
 * ({@code timeoutSeconds} for the connect, the answer and its body) and size ({@link #MAX_BODY} bytes).
 * Secrets travel only in request bodies and the {@code Authorization} header, never in a URL.
 */
final class CloudHttp implements AutoCloseable {
    static final int MAX_BODY = 256 * 1024;
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HTTPS_URL = Pattern.compile("^https://[A-Za-z0-9.\\-\\[\\]:]+(/[A-Za-z0-9._~\\-/]*)?$");

    private final HttpClient client;
    private final Duration timeout;
    /** The client's threads (JDK 17's HttpClient has no close): shut down with the connector. */
    private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rotor-cloud-http");
        t.setDaemon(true);
        return t;
    });

    CloudHttp(Target target) {
        this.timeout = Duration.ofSeconds(positive(target, "timeoutSeconds", 30));
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(sslContext(target))
                .executor(executor)
                .build();
    }

    /** An answer: status, the server's {@code Date} header (may be absent) and the body as JSON (null when empty). */
    record Answer(int status, String date, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** The exchange failed before an answer came. {@code nothingSent}: the request certainly did not reach the server. */
    static final class Failure extends Exception {
        final boolean nothingSent;

        Failure(String message, boolean nothingSent) {
            super(message);
            this.nothingSent = nothingSent;
        }
    }

    Answer send(HttpRequest.Builder request) throws Failure {
        HttpRequest built = request.timeout(timeout).header("Accept", "application/json").build();
        long deadline = System.nanoTime() + timeout.toNanos() * 2;
        CompletableFuture<HttpResponse<InputStream>> future = client.sendAsync(built, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            response = future.get(remaining(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new Failure("no answer within " + timeout.toSeconds() + " s", false);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new Failure(describe(cause), nothingSent(cause));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", false);
        }
        byte[] body = readBounded(response.body(), deadline);
        JsonNode json = null;
        if (body.length > 0) {
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                json = null; // not JSON: the status alone decides
            }
        }
        return new Answer(response.statusCode(), response.headers().firstValue("Date").orElse(null), json);
    }

    private byte[] readBounded(InputStream in, long deadline) throws Failure {
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (in) {
                byte[] bytes = in.readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    throw new IllegalStateException("the answer is longer than " + MAX_BODY + " bytes");
                }
                return bytes;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, executor);
        try {
            return read.get(remaining(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            closeQuietly(in);
            throw new Failure("the answer did not end within " + timeout.toSeconds() + " s", false);
        } catch (ExecutionException e) {
            closeQuietly(in);
            throw new Failure("reading the answer failed: " + describe(e.getCause()), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted", false);
        }
    }

    static HttpRequest.BodyPublisher form(Map<String, String> fields) {
        StringJoiner out = new StringJoiner("&");
        fields.forEach((k, v) -> out.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return HttpRequest.BodyPublishers.ofString(out.toString());
    }

    static HttpRequest.BodyPublisher json(Object value) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the request body", e);
        }
    }

    static Map<String, Object> object(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put((String) pairs[i], pairs[i + 1]);
        }
        return out;
    }

    /** A path segment, percent-encoded (a username never changes the path). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A JSON string member of the answer, or the empty string; never longer than 300 characters. */
    static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            if (n == null) {
                return "";
            }
            n = n.get(p);
        }
        if (n == null || n.isNull()) {
            return "";
        }
        String s = n.isValueNode() ? n.asText() : n.toString();
        return io.rotor.domain.VisibleText.clean(s, 300);
    }

    /** Checks an https URL setting; the message names the setting. */
    static URI httpsUrl(Target target, String key, String fallback) {
        String value = target.setting(key, fallback);
        if (value == null || !HTTPS_URL.matcher(value).matches()) {
            throw new IllegalArgumentException("target " + target.id() + ": setting " + key
                    + " must be an https URL without query or fragment (e.g. " + fallback + ")");
        }
        return URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
    }

    static long positive(Target target, String key, long fallback) {
        String value = target.setting(key, String.valueOf(fallback));
        try {
            long n = Long.parseLong(value.trim());
            if (n < 1 || n > 3600) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("target " + target.id() + ": setting " + key + " must be a whole number of seconds from 1 to 3600");
        }
    }

    /** TLS trust: the JVM's CAs, or only the certificates of the PEM file in {@code caFile}. */
    private static SSLContext sslContext(Target target) {
        String file = target.setting("caFile", null);
        try {
            if (file == null || file.isBlank()) {
                return SSLContext.getDefault();
            }
            Path path = Path.of(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("target " + target.id() + ": setting caFile: " + file + " is not a file");
            }
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(path)) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("target " + target.id() + ": setting caFile: " + file + " holds no PEM certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("target " + target.id() + ": setting caFile: cannot read " + file + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /** A connect that failed, or a TLS handshake that did not complete: no request byte reached the server. */
    private static boolean nothingSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException || t instanceof SSLHandshakeException
                    || t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = Optional.ofNullable(root.getMessage()).orElse("");
        return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + io.rotor.domain.VisibleText.clean(message, 200));
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
