package io.sandplane.model.entity;

import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.provider.Provider;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One sandbox: the source of truth for what should exist on the hypervisor.
 *
 * <p>Updates write only the columns that changed: several services update one row (the provisioner its
 * progress, sandbox-api its TTL, the url-router {@code last_activity_at} with a bulk update that leaves
 * the version alone), and a full-row update would put back a stale value of a column it never touched.
 */
@Entity
@DynamicUpdate
@Table(name = "sandboxes")
public class Sandbox {

    @Id
    public String id;

    @Column(name = "team_id", nullable = false)
    public UUID teamId;

    @Convert(converter = ProviderConverter.class)
    @Column(nullable = false)
    public Provider provider;

    /** The snapshot id the caller asked for, as sent. */
    @Column(name = "snapshot_id", nullable = false)
    public String snapshotId;

    @Column(name = "preset_id")
    public String presetId;

    @Column(name = "template_version")
    public Integer templateVersion;

    /** The template copy the guest was cloned from (set once the provisioner picked one). */
    @Column(name = "template_node")
    public String templateNode;

    @Column(name = "template_vmid")
    public Integer templateVmid;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public SandboxStatus status;

    /** The last completed provisioning step. */
    @Enumerated(EnumType.STRING)
    public ProvisionStep step;

    public Integer vmid;

    public String node;

    public String ip;

    public String hostname;

    public String fqdn;

    @Column(name = "ttl_seconds", nullable = false)
    public int ttlSeconds;

    @Enumerated(EnumType.STRING)
    @Column(name = "ttl_action", nullable = false)
    public TtlAction ttlAction;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "idle_timeout_seconds")
    public Integer idleTimeoutSeconds;

    @Column(name = "last_activity_at")
    public Instant lastActivityAt;

    @Column(name = "wake_on_http", nullable = false)
    public boolean wakeOnHttp;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, String> metadata = new HashMap<>();

    /**
     * The outbound policy's mode, as admitted (the start's {@code network}, else its team's default) and kept for
     * the sandbox's life. Read the whole policy with {@link #networkPolicy()}.
     */
    @Convert(converter = EgressModeConverter.class)
    @Column(nullable = false)
    public EgressMode egress = EgressMode.DENY_PRIVATE;

    /** The destinations of an {@code allow-list} policy; empty for the other modes. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "egress_allow", nullable = false)
    public List<EgressRule> egressAllow = new ArrayList<>();

    /**
     * What the last isolation audit found wrong with the guest (its firewall off, its address outside the sandbox
     * network); null when it was isolated, or never audited. The proxy does not route to a sandbox with a problem.
     */
    @Column(name = "isolation_problem")
    public String isolationProblem;

    @Column(name = "isolation_checked_at")
    public Instant isolationCheckedAt;

    /** SHA-256 of the per-sandbox access token for {@code token}-auth services. */
    @Column(name = "access_token_hash")
    public String accessTokenHash;

    public String error;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "status_changed_at", nullable = false)
    public Instant statusChangedAt;

    @Version
    public long version;

    /** What the sandbox may reach outbound: the policy the provisioner turns into firewall rules. */
    public NetworkPolicy networkPolicy() {
        return new NetworkPolicy(egress, egressAllow);
    }

    public void setNetworkPolicy(NetworkPolicy policy) {
        egress = policy.egress();
        egressAllow = new ArrayList<>(policy.allow());
    }
}
