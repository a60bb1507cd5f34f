package io.rotor.connector.https;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTPS client per connector (java.net.http): the chain is checked against the target's trust store (or the
 * JVM's), the host name against the certificate, never "trust all"; every call is bounded in time (connect, then
 * the whole answer) and the answer in size. A failed call says whether the request may have reached the target,
 * which decides between REJECTED and UNKNOWN for a change (docs/architecture.md, "Cloud targets over HTTPS").
 */
public final class HttpsCaller implements AutoCloseable {
    /** The largest answer read; every documented answer of these APIs is far smaller. */
    public static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final HttpsSettings settings;
    private final HttpClient client;
    /** The client's own threads, ended by {@link #close()} (Java 17's HttpClient has no close of its own). */
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "rotor-https");
        t.setDaemon(true);
        return t;
    });

    /** An answer: status, headers and the body (at most {@link #MAX_ANSWER_BYTES}). */
    public record Response(int status, HttpHeaders headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** Wipes the body, for answers that carry a secret. */
        public void wipe() {
            Arrays.fill(body, (byte) 0);
        }
    }

    /** A call that got no answer; {@link #mayHaveArrived()} says whether the target may have received it. */
    public static final class CallFailed extends Exception {
        private final boolean mayHaveArrived;

        CallFailed(String detail, boolean mayHaveArrived) {
            super(detail, null, false, false);
            this.mayHaveArrived = mayHaveArrived;
        }

        public boolean mayHaveArrived() {
            return mayHaveArrived;
        }
    }

    public HttpsCaller(HttpsSettings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                .sslContext(sslContext(settings))
                .executor(threads)
                .build();
    }

    public URI base() {
        return settings.base();
    }

    /** A request builder for {@code uri} with the request timeout set. */
    public HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(settings.requestTimeout());
    }

    /**
     * Sends {@code request} whose body is {@code body} (null for none) and wipes {@code body} afterwards, whatever
     * happened. Redirects are not followed: a secret goes only where the settings say.
     */
    public Response send(HttpRequest.Builder request, String method, byte[] body) throws CallFailed {
        HttpRequest built = request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body)).build();
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(built, info -> new LimitedBody(MAX_ANSWER_BYTES));
        long deadline = settings.connectTimeout().plus(settings.requestTimeout()).toMillis();
        try {
            HttpResponse<byte[]> answer = call.get(deadline, TimeUnit.MILLISECONDS);
            return new Response(answer.statusCode(), answer.headers(), answer.body());
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new CallFailed("no complete answer within " + deadline / 1000 + " s", true);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallFailed("interrupted while waiting for the answer", true);
        } catch (ExecutionException e) {
            throw classify(e.getCause());
        } finally {
            if (body != null) {
                Arrays.fill(body, (byte) 0);
            }
        }
    }

    /**
     * Whether a failure may come after the request reached the target. Only a failed connect or TLS handshake, or
     * an unknown host, certainly happened before any byte of the request was written; anything else may have.
     */
    static CallFailed classify(Throwable cause) {
        Throwable root = cause;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return new CallFailed("connect timed out", false);
            }
            if (t instanceof ConnectException) {
                return new CallFailed("connection refused", false);
            }
            if (t instanceof UnknownHostException) {
                return new CallFailed("unknown host", false);
            }
            if (t instanceof SSLHandshakeException) {
                return new CallFailed("TLS handshake failed: " + shortText(t), false);
            }
            root = t;
        }
        if (root instanceof java.net.http.HttpTimeoutException) {
            return new CallFailed("no answer within the request timeout", true);
        }
        return new CallFailed("connection failed: " + shortText(root), true);
    }

    private static String shortText(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
    }

    private static SSLContext sslContext(HttpsSettings settings) {
        try {
            if (settings.trustStore() == null) {
                return SSLContext.getDefault();
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(settings.trustStore())) {
                int i = 0;
                for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, cert);
                }
                if (i == 0) {
                    throw new IllegalArgumentException("setting 'trustStore': " + settings.trustStore() + " holds no PEM certificate");
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("setting 'trustStore': cannot read " + settings.trustStore()
                    + " as PEM CA certificates: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** Collects an answer of at most {@code max} bytes; a larger one fails the call instead of filling memory. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (out.size() + b.remaining() > max) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("answer larger than " + max + " bytes"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
