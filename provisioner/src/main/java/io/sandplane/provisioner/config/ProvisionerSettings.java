package io.sandplane.provisioner.config;

import io.quarkus.runtime.Startup;
import io.sandplane.model.InvalidValueException;
import io.sandplane.model.pve.PveValues;
import io.sandplane.model.service.PublicDomain;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The provisioner's configuration, checked once at start-up: a wrong or missing value stops the
 * service with a message naming the environment variable. The PVE token is never part of a message.
 */
@ApplicationScoped
@Startup
public class ProvisionerSettings {

    private static final Logger LOG = Logger.getLogger(ProvisionerSettings.class);

    /** {@code user@realm!tokenid=secret} (PVE's {@code $token_full_regex} plus a secret). */
    private static final Pattern TOKEN = Pattern.compile(
            "[^\\s:/@]+@[A-Za-z][A-Za-z0-9.\\-_]+![A-Za-z][A-Za-z0-9.\\-_]+=\\S+");
    private static final Pattern STORAGE = Pattern.compile("[a-zA-Z][a-zA-Z0-9\\-_.]*[a-zA-Z0-9]");
    private static final Pattern BRIDGE = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.\\-]{0,14}");
    private static final Pattern CLUSTER = Pattern.compile("[a-z0-9]([a-z0-9\\-]{0,62}[a-z0-9])?");

    private final URI apiUrl;
    private final String apiToken;
    private final Optional<String> node;
    private final Optional<String> storage;
    private final String bridge;
    private final boolean verifyTls;
    private final Optional<PublicDomain> publicDomain;
    private final VmidRange vmidRange;
    private final String cluster;
    private final Optional<String> execdToken;
    private final ProvisionerConfig.Provisioner tuning;
    private final IsolationSettings isolation;

    public ProvisionerSettings(ProvisionerConfig config) {
        ProvisionerConfig.Pve pve = config.pve();
        this.apiUrl = apiUrl(required(pve.apiUrl(), "PVE_API_URL", "the PVE API address, e.g. https://pve.example.com:8006"));
        this.apiToken = required(pve.apiToken(), "PVE_API_TOKEN", "a PVE API token, user@realm!tokenid=secret").trim();
        if (!TOKEN.matcher(apiToken).matches()) {
            // Never echo the value: it is a secret, even when malformed.
            throw new IllegalStateException("PVE_API_TOKEN is malformed: expected user@realm!tokenid=secret "
                    + "(e.g. root@pam!sandplane=xxxxxxxx-xxxx-…)");
        }
        this.node = nonBlank(pve.node()).map(n -> check("PVE_NODE", () -> PveValues.requireNode(n)));
        this.storage = nonBlank(pve.storage()).map(s -> matching("PVE_STORAGE", s, STORAGE, "a PVE storage id such as local-lvm"));
        this.bridge = matching("PVE_BRIDGE", pve.bridge().trim(), BRIDGE, "a bridge name such as vmbr0");
        this.verifyTls = pve.verifyTls();
        this.vmidRange = check("PVE_VMID_RANGE", () -> VmidRange.parse(pve.vmidRange()));
        Optional<String> scheme = nonBlank(config.sandplane().publicScheme());
        this.publicDomain = nonBlank(pve.publicDomain()).map(d -> check("PVE_PUBLIC_DOMAIN / SANDPLANE_PUBLIC_SCHEME",
                () -> PublicDomain.of(d, scheme)));
        this.cluster = matching("SANDPLANE_CLUSTER", config.sandplane().cluster().trim(), CLUSTER,
                "lower-case letters, digits and hyphens");
        this.execdToken = nonBlank(config.execd().token());
        this.tuning = config.provisioner();
        this.isolation = IsolationSettings.parse(config);
        if (apiUrl.getScheme().equals("https") && !verifyTls) {
            LOG.warnf("PVE_VERIFY_TLS=false: the certificate of %s is not verified; use this only for a PVE host "
                    + "with a self-signed certificate on a trusted network", apiUrl);
        }
        LOG.infof("PVE API %s, node %s, storage %s, bridge %s, VMIDs %s in cluster '%s'%s", apiUrl,
                node.orElse("(placement)"), storage.orElse("(auto)"), bridge, vmidRange, cluster,
                publicDomain.map(d -> ", public domain " + d.host()).orElse(""));
        logIsolation(isolation);
    }

    private static void logIsolation(IsolationSettings isolation) {
        if (!isolation.enforced()) {
            LOG.warnf("%s=off: Sandplane leaves PVE's firewall alone, so guests are NOT isolated: a sandbox can reach"
                    + " other sandboxes, the PVE hosts and the control plane. Use it only where something else isolates"
                    + " them.", IsolationSettings.MODE);
            return;
        }
        LOG.infof("PVE firewall enforced: guests accept TCP from the url-router (%s) and execd connections from"
                + " provisioners (%s); no guest reaches the control plane (%s); egress exceptions %s; sandbox network %s",
                IsolationSettings.describe(isolation.routers()), IsolationSettings.describe(isolation.provisioners()),
                IsolationSettings.describe(isolation.controlPlane()), IsolationSettings.describe(isolation.egressAllowed()),
                IsolationSettings.describe(isolation.ipPool()));
        if (isolation.controlPlane().isEmpty()) {
            LOG.warnf("%s is empty: sandboxes with egress open (and deny-private ones, for control-plane hosts with public"
                    + " addresses) can connect to the PVE hosts, the database and Sandplane's services; list them",
                    IsolationSettings.CONTROL_PLANE);
        }
    }

    /** The PVE base address, without {@code /api2/json}. */
    public URI apiUrl() {
        return apiUrl;
    }

    /** The secret token; only for the Authorization header. */
    public String apiToken() {
        return apiToken;
    }

    public Optional<String> node() {
        return node;
    }

    public Optional<String> storage() {
        return storage;
    }

    public String bridge() {
        return bridge;
    }

    public boolean verifyTls() {
        return verifyTls;
    }

    public Optional<PublicDomain> publicDomain() {
        return publicDomain;
    }

    public VmidRange vmidRange() {
        return vmidRange;
    }

    public String cluster() {
        return cluster;
    }

    public Optional<String> execdToken() {
        return execdToken;
    }

    public ProvisionerConfig.Provisioner tuning() {
        return tuning;
    }

    public IsolationSettings isolation() {
        return isolation;
    }

    static URI apiUrl(String raw) {
        String value = raw.trim().replaceFirst("/+$", "").replaceFirst("/api2/json$", "");
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("PVE_API_URL is not a valid URL: " + InvalidValueException.quote(raw));
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
            throw new IllegalStateException("PVE_API_URL must be an http(s) URL with a host and no query or credentials, "
                    + "e.g. https://pve.example.com:8006; got " + InvalidValueException.quote(raw));
        }
        return uri;
    }

    private static String required(Optional<String> value, String variable, String what) {
        return nonBlank(value).orElseThrow(() -> new IllegalStateException(variable + " is not set: the provisioner needs "
                + what));
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.map(String::trim).filter(v -> !v.isEmpty());
    }

    private static String matching(String variable, String value, Pattern pattern, String expected) {
        if (!pattern.matcher(value).matches()) {
            throw new IllegalStateException(variable + " is invalid: expected " + expected + ", got "
                    + InvalidValueException.quote(value));
        }
        return value;
    }

    private static <T> T check(String variable, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidValueException e) {
            throw new IllegalStateException(variable + " is invalid: " + e.getMessage());
        }
    }

    /** The VMIDs Sandplane may use, inclusive. */
    public record VmidRange(int min, int max) {

        public VmidRange {
            PveValues.requireVmid("vmidRange", min);
            PveValues.requireVmid("vmidRange", max);
            if (min > max) {
                throw new InvalidValueException("vmidRange", "the range " + min + "-" + max + " is empty");
            }
        }

        public static VmidRange parse(String raw) {
            String[] parts = raw == null ? new String[0] : raw.trim().split("\\s*[-–:]\\s*");
            if (parts.length != 2) {
                throw new InvalidValueException("vmidRange", "expected min-max, e.g. 200-999999; got "
                        + InvalidValueException.quote(raw));
            }
            return new VmidRange(PveValues.parseVmid("vmidRange", parts[0]), PveValues.parseVmid("vmidRange", parts[1]));
        }

        public boolean contains(int vmid) {
            return vmid >= min && vmid <= max;
        }

        public int size() {
            return max - min + 1;
        }

        @Override
        public String toString() {
            return min + "-" + max;
        }
    }
}
