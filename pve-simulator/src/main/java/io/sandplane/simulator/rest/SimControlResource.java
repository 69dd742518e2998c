package io.sandplane.simulator.rest;

import io.sandplane.simulator.config.ApiTls;
import io.sandplane.simulator.service.CallLog;
import io.sandplane.simulator.service.Cluster;
import io.sandplane.simulator.service.Fault;
import io.sandplane.simulator.service.Faults;
import io.sandplane.simulator.service.Latencies;
import io.sandplane.simulator.service.RecordedCall;
import io.sandplane.simulator.service.Scenario;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Operator controls of the simulator (not part of PVE, not behind PVE's token auth). */
@Path("/_sim")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SimControlResource {

    private final Cluster cluster;
    private final Faults faults;
    private final Latencies latencies;
    private final CallLog calls;
    private final ErrorStyle errorStyle;
    private final ApiTls tls;

    public SimControlResource(Cluster cluster, Faults faults, Latencies latencies, CallLog calls, ErrorStyle errorStyle,
                              ApiTls tls) {
        this.tls = tls;
        this.cluster = cluster;
        this.faults = faults;
        this.latencies = latencies;
        this.calls = calls;
        this.errorStyle = errorStyle;
    }

    /** Back to the configured scenario, latencies and error style; no faults, no recorded calls. */
    @POST
    @Path("/reset")
    public Map<String, Object> reset() {
        faults.clear();
        latencies.reset();
        errorStyle.reset();
        cluster.load(cluster.configuredScenario());
        calls.clear();
        return settings();
    }

    @GET
    @Path("/scenario")
    public Scenario scenario() {
        return cluster.scenario();
    }

    /** Replaces the cluster with this scenario (all guests and tasks are dropped). */
    @POST
    @Path("/scenario")
    public Scenario loadScenario(Scenario scenario) {
        if (scenario == null) {
            throw new IllegalArgumentException("a scenario body is required");
        }
        cluster.load(scenario);
        return cluster.scenario();
    }

    @GET
    @Path("/latencies")
    public Map<String, Long> latencies() {
        return latencies.all();
    }

    /** Sets some operation latencies in ms, e.g. {"clone": 0, "start": 0}. */
    @PUT
    @Path("/latencies")
    public Map<String, Long> setLatencies(Map<String, Long> changes) {
        if (changes == null) {
            throw new IllegalArgumentException("a JSON object of operation -> milliseconds is required");
        }
        return latencies.update(changes);
    }

    @GET
    @Path("/faults")
    public List<Fault> faults() {
        return faults.list();
    }

    @POST
    @Path("/faults")
    public Fault addFault(Fault fault) {
        if (fault == null) {
            throw new IllegalArgumentException("a fault body is required");
        }
        return faults.add(fault);
    }

    @DELETE
    @Path("/faults/{id}")
    public Response removeFault(@PathParam("id") String id) {
        if (!faults.remove(id)) {
            throw new NotFoundException("no fault " + id);
        }
        return Response.noContent().build();
    }

    @DELETE
    @Path("/faults")
    public Response clearFaults() {
        faults.clear();
        return Response.noContent().build();
    }

    /** Recorded API calls, oldest first; filter by method, a path regex, and a sequence number to start after. */
    @GET
    @Path("/calls")
    public List<RecordedCall> calls(@QueryParam("method") String method, @QueryParam("path") String path,
                                    @QueryParam("after") Long after) {
        try {
            return calls.list(method, path, after == null ? 0 : after);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("path is not a valid regular expression");
        }
    }

    @DELETE
    @Path("/calls")
    public Response clearCalls() {
        calls.clear();
        return Response.noContent().build();
    }

    @GET
    @Path("/settings")
    public Map<String, Object> settings() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("errorStyle", errorStyle.name());
        out.put("guestNetwork", cluster.network().network());
        out.put("dataDir", cluster.dataDir().toString());
        out.put("latencies", latencies.all());
        return out;
    }

    /** Changes run-time settings: {"errorStyle": "modern"|"legacy"}. */
    @PUT
    @Path("/settings")
    public Map<String, Object> updateSettings(Map<String, Object> changes) {
        if (changes == null) {
            throw new IllegalArgumentException("a JSON object is required");
        }
        for (String key : changes.keySet()) {
            if (!key.equals("errorStyle")) {
                throw new IllegalArgumentException("unknown setting '" + key + "'");
            }
        }
        if (changes.get("errorStyle") != null) {
            errorStyle.set(String.valueOf(changes.get("errorStyle")));
        }
        return settings();
    }

    /** The API's TLS: whether it is on, the certificate (PEM), its SHA-256 fingerprint and names. */
    @GET
    @Path("/tls")
    public Map<String, Object> tls() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", tls.enabled());
        out.put("certificate", tls.certificatePem().orElse(null));
        out.put("fingerprint", tls.fingerprint().orElse(null));
        out.put("names", tls.names());
        return out;
    }

    /** The certificate alone, for {@code curl --cacert} and friends; 404 while TLS is off. */
    @GET
    @Path("/tls/certificate")
    @Produces("application/x-pem-file")
    public Response certificate() {
        return tls.certificatePem().map(pem -> Response.ok(pem).build())
                .orElseThrow(() -> new NotFoundException("TLS is off (SIM_TLS=false)"));
    }

    /** Every guest with its node, status, lock, tags, loopback address and raw config. */
    @GET
    @Path("/guests")
    public List<Map<String, Object>> guests() {
        return cluster.guestSummaries();
    }

    /** Creates a guest directly ({vmid, node, type, status, config}), as if made by hand on the host. */
    @POST
    @Path("/guests")
    public Map<String, Object> addGuest(Scenario.GuestSpec guest) {
        return cluster.addGuest(guest);
    }

    /** Removes a guest at once, as if it vanished from the host. */
    @DELETE
    @Path("/guests/{vmid}")
    public Response dropGuest(@PathParam("vmid") int vmid) {
        if (!cluster.dropGuest(vmid)) {
            throw new NotFoundException("no guest " + vmid);
        }
        return Response.noContent().build();
    }

    /** Bad control input gets a 400 with a JSON reason. */
    @Provider
    public static class BadInput implements ExceptionMapper<IllegalArgumentException> {
        @Override
        public Response toResponse(IllegalArgumentException e) {
            return Response.status(400).type(MediaType.APPLICATION_JSON).entity(Map.of("error", String.valueOf(e.getMessage())))
                    .build();
        }
    }
}
