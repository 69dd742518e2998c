package io.sandplane.model.entity;

import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.network.TeamNetwork;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A tenant: owns API keys and sandboxes, and carries its quotas and network settings. */
@Entity
@Table(name = "teams")
public class Team {

    @Id
    public UUID id;

    /** Lower-case letters, digits and hyphens; also written into guest tags ({@code team-<slug>}). */
    @Column(nullable = false, unique = true)
    public String slug;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public boolean disabled;

    @Column(name = "max_live_sandboxes", nullable = false)
    public int maxLiveSandboxes;

    @Column(name = "starts_per_hour", nullable = false)
    public int startsPerHour;

    /** The default policy's mode: what a start that names no {@code network} gets. See {@link #network()}. */
    @Convert(converter = EgressModeConverter.class)
    @Column(name = "egress_default", nullable = false)
    public EgressMode egressDefault = EgressMode.DENY_PRIVATE;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "egress_default_allow", nullable = false)
    public List<EgressRule> egressDefaultAllow = new ArrayList<>();

    /** The egress modes the team's starts may ask for. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "egress_modes", nullable = false)
    public Set<EgressMode> egressModes = EnumSet.copyOf(TeamNetwork.DEFAULT_ALLOWED);

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    public TeamNetwork network() {
        return new TeamNetwork(new NetworkPolicy(egressDefault, egressDefaultAllow), egressModes);
    }

    public void setNetwork(TeamNetwork network) {
        egressDefault = network.defaultPolicy().egress();
        egressDefaultAllow = new ArrayList<>(network.defaultPolicy().allow());
        egressModes = EnumSet.copyOf(network.allowedEgress());
    }
}
