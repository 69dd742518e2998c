package io.sandplane.e2e.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.simulator.SimulatorControl;
import io.sandplane.devsupport.topology.Topology;
import io.sandplane.devsupport.topology.Topology.Service;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/** A started {@link Topology} and what the tests do with it: call the API and the proxy, check the books. */
public final class E2eTopology {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Topology topology;

    E2eTopology(String name, Topology topology) {
        this.name = name;
        this.topology = topology;
    }

    public String name() {
        return name;
    }

    public Topology topology() {
        return topology;
    }

    /** The public API of the first sandbox-api replica. */
    public Api api() {
        return api(0);
    }

    public Api api(int replica) {
        return new Api(topology.process(Service.SANDBOX_API, replica).url());
    }

    public Proxy proxy() {
        return new Proxy(topology.proxyUrl());
    }

    public SimulatorControl simulator() {
        return topology.simulator();
    }

    public Ledger ledger() {
        return new Ledger(topology.postgres(), topology.simulator());
    }

    /** A team with an API key, made through the operator API. */
    public Teams.Builder team() {
        return Teams.builder(api(), topology.operatorToken());
    }

    public ServiceProcess process(Service service, int replica) {
        return topology.process(service, replica);
    }

    /** Every Sandplane service process (the simulator aside). */
    public List<ServiceProcess> services() {
        List<ServiceProcess> all = new ArrayList<>();
        for (Service s : Service.values()) {
            if (s != Service.PVE_SIMULATOR) {
                all.addAll(topology.processes(s));
            }
        }
        return all;
    }

    /** The status of {@code GET /q/health/ready} of a process, or -1 when it does not answer. */
    public static int readiness(ServiceProcess process) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(process.managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A reaper replica's internal API answer (status and JSON body). */
    public record Internal(int status, JsonNode body) {
    }

    public Internal reaper(int replica, String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(topology.process(Service.REAPER, replica).url() + path))
                .timeout(Duration.ofMinutes(2)).header("X-Sandplane-Internal-Token", topology.internalToken())
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Internal(r.statusCode(), Json.parse(r.body()));
        } catch (IOException e) {
            return new Internal(-1, Json.parse(null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * One reaper pass now, on whichever replica leads ({@code POST /internal/reaper/passes}); a
     * standby answers 409, and so does the leader while its own scheduled pass runs, so this retries
     * until one pass ran. Returns its report.
     */
    public JsonNode reaperPass() {
        int replicas = topology.processes(Service.REAPER).size();
        AtomicReference<JsonNode> report = new AtomicReference<>();
        AtomicReference<String> lastRefusal = new AtomicReference<>();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (int i = 0; i < replicas; i++) {
                    Internal answer = reaper(i, "POST", "/internal/reaper/passes");
                    if (answer.status() == 200) {
                        report.set(answer.body());
                        return true;
                    }
                    lastRefusal.set("reaper #" + (i + 1) + ": " + answer.status() + " " + answer.body());
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no reaper replica ran a pass within 60 s; last answer " + lastRefusal.get(), e);
        }
        return report.get();
    }
}
