package io.sandplane.e2e.support;

import io.sandplane.devsupport.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A service's Prometheus metrics, as an operator's scraper reads them from its management port. */
public final class Metrics {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Metrics() {
    }

    /**
     * The sum of the samples of {@code name} whose labels include every {@code label="value"} of {@code labels}
     * (0 when there are none yet: a counter appears with its first increment).
     */
    public static double sum(ServiceProcess service, String name, String... labels) {
        double sum = 0;
        for (String line : scrape(service).split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String labelBlock = line.indexOf('}') > 0 ? line.substring(0, line.indexOf('}') + 1) : "";
            boolean matches = true;
            for (String label : labels) {
                matches &= labelBlock.contains(label);
            }
            if (matches) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static String scrape(ServiceProcess service) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(service.managementUrl() + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError(service.module() + " metrics: HTTP " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
