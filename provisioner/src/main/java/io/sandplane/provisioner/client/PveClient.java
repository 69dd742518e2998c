package io.sandplane.provisioner.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.sandplane.provisioner.config.ProvisionerSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import io.smallrye.faulttolerance.api.ExponentialBackoff;

/**
 * The typed PVE client: one method per PVE call, each retried with exponential backoff when the
 * failure is transient (never when it is permanent), behind a circuit breaker, timed and counted per
 * operation. "Absent" answers ({@code does not exist}) are values, not failures, so they do not
 * trip the breaker.
 */
@ApplicationScoped
@Retry(maxRetries = 4, delay = 500, jitter = 200, retryOn = PveTransientException.class,
        abortOn = PvePermanentException.class)
@ExponentialBackoff(factor = 2, maxDelay = 8000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 10_000, successThreshold = 2,
        failOn = PveTransientException.class, skipOn = PvePermanentException.class)
public class PveClient {

    private final PveApi api;
    private final MeterRegistry metrics;

    public PveClient(ProvisionerSettings settings, MeterRegistry metrics) {
        this.metrics = metrics;
        this.api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(settings.apiUrl())
                .connectTimeout(settings.tuning().pveConnectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(settings.tuning().pveReadTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .trustAll(!settings.verifyTls())
                .verifyHost(settings.verifyTls())
                .followRedirects(false)
                .register(new TokenFilter(settings.apiToken()))
                .build(PveApi.class);
    }

    public PveTypes.Version version() {
        return call("version", () -> api.version().data());
    }

    /** One try, no retries: for health checks, which must answer quickly and truthfully. */
    @Retry(maxRetries = 0)
    public PveTypes.Version ping() {
        return call("version", () -> api.version().data());
    }

    public List<PveTypes.Node> nodes() {
        return call("nodes", () -> orEmpty(api.nodes().data()));
    }

    public PveTypes.Dns dns(String node) {
        return call("dns", () -> Optional.ofNullable(api.dns(node).data()).orElse(new PveTypes.Dns(null)));
    }

    public List<PveTypes.Storage> storage(String node, String content) {
        return call("storage", () -> orEmpty(api.storage(node, content).data()));
    }

    /** Asks PVE whether a VMID is free ({@code nextid?vmid=N}); PVE reserves nothing by answering. */
    public boolean isVmidFree(int vmid) {
        return call("nextid", () -> {
            try {
                Integer free = api.nextId(vmid).data();
                return free != null && free == vmid;
            } catch (PvePermanentException e) {
                if (e.alreadyExists()) {
                    return false;
                }
                throw e;
            }
        });
    }

    /** Every container of a node (templates included), in one call. */
    public List<PveTypes.Guest> containers(String node) {
        return call("list", () -> orEmpty(api.containers(node).data()));
    }

    /** Starts a linked clone; PVE locks the template ({@code disk}) until the task ends. */
    public Upid cloneLinked(String node, int templateVmid, int newVmid, String hostname, String description) {
        return call("clone", () -> Upid.parse(api.clone(node, templateVmid, newVmid, hostname, description, 0).data()));
    }

    public Optional<PveTypes.LxcConfig> config(String node, int vmid) {
        return call("config", () -> absentIfMissing(() -> api.config(node, vmid).data()));
    }

    /** Synchronous in PVE: when this returns, the config is written. */
    public void updateConfig(String node, int vmid, Map<String, String> values) {
        call("configure", () -> api.updateConfig(node, vmid, form(values)));
    }

    public Optional<PveTypes.GuestStatus> status(String node, int vmid) {
        return call("status", () -> absentIfMissing(() -> api.status(node, vmid).data()));
    }

    public Upid start(String node, int vmid) {
        return call("start", () -> Upid.parse(api.start(node, vmid).data()));
    }

    public Upid stop(String node, int vmid) {
        return call("stop", () -> Upid.parse(api.stop(node, vmid).data()));
    }

    public Upid shutdown(String node, int vmid, int timeoutSeconds) {
        return call("shutdown", () -> Upid.parse(api.shutdown(node, vmid, timeoutSeconds, 0).data()));
    }

    /** The container's interfaces; empty while it is stopped (PVE answers {@code null}). */
    public List<PveTypes.NetInterface> interfaces(String node, int vmid) {
        return call("interfaces", () -> orEmpty(api.interfaces(node, vmid).data()));
    }

    /** {@code DELETE …?purge=1}: also removes the guest from backup jobs, replication and HA. */
    public Upid destroy(String node, int vmid) {
        return call("delete", () -> Upid.parse(api.destroy(node, vmid, 1, 0).data()));
    }

    public PveTypes.TaskStatus taskStatus(Upid upid) {
        return call("task", () -> api.taskStatus(upid.node(), upid.value()).data());
    }

    // ---- firewall: the datacenter's IP sets and security groups, each guest's options, rules and IP sets ----

    public PveTypes.FirewallOptions clusterFirewallOptions() {
        return call("firewall_options", () -> api.clusterFirewallOptions().data());
    }

    /** One try, no retries: for health checks. */
    @Retry(maxRetries = 0)
    public PveTypes.FirewallOptions clusterFirewallOptionsOnce() {
        return call("firewall_options", () -> api.clusterFirewallOptions().data());
    }

    public List<PveTypes.FirewallObject> clusterIpSets() {
        return call("firewall_ipset", () -> orEmpty(api.clusterIpSets().data()));
    }

    public void createClusterIpSet(String name, String comment) {
        call("firewall_ipset", () -> api.createClusterIpSet(form(Map.of("name", name, "comment", comment))));
    }

    public List<PveTypes.IpSetEntry> clusterIpSet(String name) {
        return call("firewall_ipset", () -> orEmpty(api.clusterIpSet(name).data()));
    }

    public void addClusterIpSetEntry(String name, String cidr) {
        call("firewall_ipset", () -> api.addClusterIpSetEntry(name, form(Map.of("cidr", cidr))));
    }

    /** PUT sets {@code nomatch} and {@code comment} both: what it leaves out is cleared. */
    public void includeClusterIpSetEntry(String name, String cidr, String digest) {
        call("firewall_ipset", () -> api.updateClusterIpSetEntry(name, cidr, form(withDigest(Map.of("nomatch", "0"), digest))));
    }

    public void removeClusterIpSetEntry(String name, String cidr, String digest) {
        call("firewall_ipset", () -> api.removeClusterIpSetEntry(name, cidr, digest));
    }

    public List<PveTypes.FirewallObject> securityGroups() {
        return call("firewall_group", () -> orEmpty(api.securityGroups().data()));
    }

    public void createSecurityGroup(String group, String comment) {
        call("firewall_group", () -> api.createSecurityGroup(form(Map.of("group", group, "comment", comment))));
    }

    public List<PveTypes.FirewallRule> groupRules(String group) {
        return call("firewall_group", () -> orEmpty(api.groupRules(group).data()));
    }

    /** PVE inserts every new rule at position 0. */
    public void addGroupRule(String group, Map<String, String> rule) {
        call("firewall_group", () -> api.addGroupRule(group, form(rule)));
    }

    public void removeGroupRule(String group, int pos, String digest) {
        call("firewall_group", () -> api.removeGroupRule(group, pos, digest));
    }

    public PveTypes.FirewallOptions guestFirewallOptions(String node, int vmid) {
        return call("firewall_options", () -> api.guestFirewallOptions(node, vmid).data());
    }

    /** Sets {@code values} and removes the options named in {@code delete} (back to PVE's defaults), in one write. */
    public void setGuestFirewallOptions(String node, int vmid, Map<String, String> values, List<String> delete) {
        Map<String, String> all = new java.util.LinkedHashMap<>(values);
        if (!delete.isEmpty()) {
            all.put("delete", String.join(",", delete));
        }
        call("firewall_options", () -> api.setGuestFirewallOptions(node, vmid, form(all)));
    }

    public List<PveTypes.FirewallRule> guestRules(String node, int vmid) {
        return call("firewall_rule", () -> orEmpty(api.guestRules(node, vmid).data()));
    }

    /** PVE inserts every new rule at position 0. */
    public void addGuestRule(String node, int vmid, Map<String, String> rule) {
        call("firewall_rule", () -> api.addGuestRule(node, vmid, form(rule)));
    }

    public void removeGuestRule(String node, int vmid, int pos, String digest) {
        call("firewall_rule", () -> api.removeGuestRule(node, vmid, pos, digest));
    }

    public void createGuestIpSet(String node, int vmid, String name, String comment) {
        call("firewall_ipset", () -> api.createGuestIpSet(node, vmid, form(Map.of("name", name, "comment", comment))));
    }

    /** The entries of a guest's IP set; empty when the set does not exist. */
    public Optional<List<PveTypes.IpSetEntry>> guestIpSet(String node, int vmid, String name) {
        return call("firewall_ipset", () -> {
            try {
                return Optional.of(orEmpty(api.guestIpSet(node, vmid, name).data()));
            } catch (PvePermanentException e) {
                if (e.noSuchIpSet()) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    public void addGuestIpSetEntry(String node, int vmid, String name, String cidr) {
        call("firewall_ipset", () -> api.addGuestIpSetEntry(node, vmid, name, form(Map.of("cidr", cidr))));
    }

    public void removeGuestIpSetEntry(String node, int vmid, String name, String cidr, String digest) {
        call("firewall_ipset", () -> api.removeGuestIpSetEntry(node, vmid, name, cidr, digest));
    }

    private static MultivaluedHashMap<String, String> form(Map<String, String> values) {
        MultivaluedHashMap<String, String> form = new MultivaluedHashMap<>();
        values.forEach((k, v) -> {
            if (v != null) {
                form.putSingle(k, v);
            }
        });
        return form;
    }

    private static Map<String, String> withDigest(Map<String, String> values, String digest) {
        Map<String, String> all = new java.util.LinkedHashMap<>(values);
        all.put("digest", digest);
        return all;
    }

    private <T> T call(String operation, Supplier<T> request) {
        long started = System.nanoTime();
        String outcome = "ok";
        try {
            return request.get();
        } catch (PveException e) {
            outcome = e.isTransient() ? "transient" : "permanent";
            throw e;
        } catch (ProcessingException e) {
            outcome = "transient";
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw PveException.unreachable(root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage()), e);
        } finally {
            Timer.builder("sandplane.pve.call")
                    .description("PVE API calls by operation and outcome")
                    .tag("operation", operation)
                    .tag("outcome", outcome)
                    .publishPercentileHistogram()
                    .register(metrics)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            if (!outcome.equals("ok")) {
                Counter.builder("sandplane.pve.errors")
                        .description("Failed PVE API calls by operation and kind")
                        .tag("operation", operation)
                        .tag("kind", outcome)
                        .register(metrics)
                        .increment();
            }
        }
    }

    private static <T> Optional<T> absentIfMissing(Supplier<T> request) {
        try {
            return Optional.ofNullable(request.get());
        } catch (PvePermanentException e) {
            if (e.doesNotExist()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** Adds {@code Authorization: PVEAPIToken=…}; the token goes nowhere else. */
    private static final class TokenFilter implements ClientRequestFilter {

        private final String header;

        TokenFilter(String token) {
            this.header = "PVEAPIToken=" + token;
        }

        @Override
        public void filter(ClientRequestContext request) {
            request.getHeaders().putSingle(HttpHeaders.AUTHORIZATION, header);
        }
    }
}
