package io.rotor.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

/** Waiting for and stopping {@code rotor serve} processes that a test started. */
final class ServeProcesses {
    private ServeProcesses() {
    }

    /** Polls {@code url} until it answers 200; the wait is the server process itself, so a crash ends it early. */
    static String awaitUp(HttpClient http, Process server, String url) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            if (server.waitFor(250, TimeUnit.MILLISECONDS)) {
                throw new AssertionError("rotor serve exited with " + server.exitValue() + " before it served " + url);
            }
        }
        throw new AssertionError("rotor serve did not answer " + url + " within 90 s");
    }

    static void stop(Process server) throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroy();
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                throw new AssertionError("rotor serve did not stop on SIGTERM");
            }
        }
    }
}
