package io.sandplane.provisioner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the provisioner reads from its environment. The root prefix is empty so that the
 * agreed variable names ({@code PVE_API_URL}, {@code SANDPLANE_CLUSTER}, {@code EXECD_TOKEN}, …)
 * map straight onto these properties; tuning knobs live under {@code provisioner.*}
 * ({@code PROVISIONER_…}). Values are checked once at start-up by {@link PveSettings}.
 */
@ConfigMapping(prefix = "")
public interface ProvisionerConfig {

    Pve pve();

    Sandplane sandplane();

    Execd execd();

    Provisioner provisioner();

    interface Pve {
        /** {@code PVE_API_URL}: {@code https://host:8006} (a trailing {@code /api2/json} is accepted). Required. */
        Optional<String> apiUrl();

        /** {@code PVE_API_TOKEN}: {@code user@realm!tokenid=secret}. Required. */
        Optional<String> apiToken();

        /** {@code PVE_NODE}: clone only on this node; default: placement over all online nodes. */
        Optional<String> node();

        /** {@code PVE_STORAGE}: default: the storage with {@code rootdir} content and the most free space. */
        Optional<String> storage();

        /** {@code PVE_BRIDGE}: the bridge of every guest's {@code net0}. */
        @WithDefault("vmbr0")
        String bridge();

        /** {@code PVE_VERIFY_TLS}: false accepts self-signed certificates (with a warning at start-up). */
        @WithDefault("true")
        boolean verifyTls();

        /** {@code PVE_PUBLIC_DOMAIN}: the proxy domain service URLs are built on, e.g. {@code sandplane.localhost:8088}. */
        Optional<String> publicDomain();

        /** {@code PVE_VMID_RANGE}: {@code min-max}, the VMIDs Sandplane may give its guests. */
        @WithDefault("200-999999")
        String vmidRange();

        /**
         * {@code PVE_IP_POOL_CIDR}: the sandbox network, comma-separated CIDRs guests get their addresses from (the
         * url-router reads it too). Required while the firewall is enforced.
         */
        Optional<String> ipPoolCidr();
    }

    interface Sandplane {
        /** {@code SANDPLANE_CLUSTER}: VMIDs are unique per cluster name. */
        @WithDefault("default")
        String cluster();

        /** {@code SANDPLANE_PUBLIC_SCHEME}: http or https; default from the public domain. */
        Optional<String> publicScheme();

        Firewall firewall();

        /**
         * {@code SANDPLANE_CONTROL_PLANE_CIDRS}: addresses no sandbox may reach, whatever its egress (PVE hosts, the
         * database, Sandplane's hosts); comma-separated CIDRs. The url-router never forwards to them either.
         */
        Optional<String> controlPlaneCidrs();

        /**
         * {@code SANDPLANE_EGRESS_ALLOWED_CIDRS}: the operator's exceptions every sandbox may reach even where its
         * egress denies private addresses (a resolver, package mirrors); comma-separated CIDRs.
         */
        Optional<String> egressAllowedCidrs();
    }

    /** PVE's firewall around every guest. */
    interface Firewall {
        /** {@code SANDPLANE_FIREWALL}: {@code enforce}, or {@code off} (unsafe: guests are not isolated). */
        @WithParentName
        @WithDefault("enforce")
        String mode();

        /** {@code SANDPLANE_FIREWALL_ROUTER_CIDRS}: the addresses the url-router connects to guests from. */
        Optional<String> routerCidrs();

        /** {@code SANDPLANE_FIREWALL_PROVISIONER_CIDRS}: the addresses provisioners connect to guests' execd from. */
        Optional<String> provisionerCidrs();
    }

    interface Execd {
        /** {@code EXECD_TOKEN}: bearer token sent to every guest's execd, if the templates require one. */
        Optional<String> token();
    }

    /** Tuning ({@code PROVISIONER_…}); the defaults suit a real PVE. */
    interface Provisioner {
        /** How long a start may wait for a free template copy (clones of one template are serialised). */
        @WithDefault("10m")
        Duration cloneLockWait();

        /** How long one PVE task (clone, start, stop, delete) may run. */
        @WithDefault("10m")
        Duration taskTimeout();

        /** Longest pause between two polls of a task, an address or execd. */
        @WithDefault("250ms")
        Duration pollMaxInterval();

        /** How long a started guest may take to report an IPv4 address. */
        @WithDefault("2m")
        Duration networkTimeout();

        /** How long a guest with an address may take until its execd answers {@code /healthz}. */
        @WithDefault("2m")
        Duration execdTimeout();

        /** Graceful shutdown time before a hard stop. */
        @WithDefault("30s")
        Duration shutdownTimeout();

        /** How long an operation waits for another operation on the same sandbox to finish. */
        @WithDefault("15m")
        Duration operationLockWait();

        /** How long the node DNS search domain is cached before it is fetched again. */
        @WithDefault("5m")
        Duration dnsRefresh();

        /** How long the node list (for placement) is reused. */
        @WithDefault("2s")
        Duration nodeCache();

        /** HTTP timeouts of calls to PVE. */
        @WithDefault("5s")
        Duration pveConnectTimeout();

        @WithDefault("60s")
        Duration pveReadTimeout();

        /** Exec output kept per stream (stdout, stderr); the rest is dropped and flagged as truncated. */
        @WithDefault("1048576")
        int execMaxOutputBytes();

        /** Time allowed on top of a command's own timeout for execd to report it. */
        @WithDefault("30s")
        Duration execGrace();

        /** How long the datacenter's firewall objects, once found right, are trusted before a start checks them again. */
        @WithDefault("1m")
        Duration firewallRecheck();
    }
}
