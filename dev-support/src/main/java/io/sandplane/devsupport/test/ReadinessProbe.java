package io.sandplane.devsupport.test;

import io.sandplane.devsupport.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Checks that a service's readiness really depends on its database. */
public final class ReadinessProbe {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ReadinessProbe() {
    }

    /**
     * Stops the shared database and expects readiness to answer 503, then restarts it and expects
     * 200 again, without restarting the service.
     */
    public static void assertFollowsDatabase(URI readyUrl) {
        EmbeddedPostgres pg = SharedPostgres.get();
        awaitStatus(readyUrl, 200, Duration.ofSeconds(30));
        pg.stop();
        try {
            awaitStatus(readyUrl, 503, Duration.ofSeconds(30));
        } finally {
            pg.start();
        }
        awaitStatus(readyUrl, 200, Duration.ofSeconds(60));
    }

    public static void awaitStatus(URI url, int expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            try {
                last = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == expected) {
                    return;
                }
            } catch (IOException e) {
                last = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        throw new AssertionError(url + " answered " + last + ", expected " + expected + " within " + timeout);
    }
}
