package io.sandplane.sandboxapi.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.lifecycle.TtlAction;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.NetworkPolicy;
import io.sandplane.model.provider.Provider;
import io.sandplane.model.service.AuthMode;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import io.sandplane.sandboxapi.rest.dto.ServiceInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A sandbox as the public API shows it, read with plain JDBC in one round trip: the answer to a waiting
 * start once the provisioner is done, where reading it through Hibernate (session, entities, detaching)
 * cost twice the time of the query. Always reads committed state afresh (no session that remembers rows).
 * The view is the same as {@code SandboxViews.of} builds from the entities.
 */
@ApplicationScoped
public class SandboxViewRepository {

    private static final String VIEW = """
            select s.id, s.status, s.step, s.provider, s.snapshot_id, s.preset_id, s.template_version, s.vmid, s.node,
                   s.ttl_seconds, s.ttl_action, s.expires_at, s.idle_timeout_seconds, s.wake_on_http, s.metadata::text,
                   s.egress, s.egress_allow::text, s.error, s.created_at, s.updated_at,
                   svc.name, svc.port, svc.auth_mode, svc.url
            from sandboxes s left join sandbox_services svc on svc.sandbox_id = s.id
            where s.id = ? order by svc.port""";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> METADATA = new TypeReference<>() {
    };

    private final AgroalDataSource dataSource;

    public SandboxViewRepository(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<SandboxView> find(String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(VIEW)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(view(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            // The cause keeps its SQLState: an unreachable database is the shared 503, anything else a 500.
            throw new PersistenceException("reading sandbox " + id + " failed: " + e.getMessage(), e);
        }
    }

    /** The sandbox's columns from the first row; one service per row, in port order. */
    private static SandboxView view(ResultSet r) throws SQLException {
        String id = r.getString("id");
        SandboxStatus status = SandboxStatus.valueOf(r.getString("status"));
        String step = r.getString("step");
        Provider provider = Provider.fromId(r.getString("provider"));
        String snapshotId = r.getString("snapshot_id");
        String presetId = r.getString("preset_id");
        Integer templateVersion = r.getObject("template_version", Integer.class);
        Integer vmid = r.getObject("vmid", Integer.class);
        String node = r.getString("node");
        int ttlSeconds = r.getInt("ttl_seconds");
        TtlAction ttlAction = TtlAction.valueOf(r.getString("ttl_action"));
        Instant expiresAt = instant(r, "expires_at");
        Integer idleTimeoutSeconds = r.getObject("idle_timeout_seconds", Integer.class);
        boolean wakeOnHttp = r.getBoolean("wake_on_http");
        Map<String, String> metadata = metadata(id, r.getString("metadata"));
        NetworkPolicy network = new NetworkPolicy(EgressMode.fromId(r.getString("egress")),
                NetworkJson.rules("egress_allow of " + id, r.getString("egress_allow")));
        String error = r.getString("error");
        Instant createdAt = instant(r, "created_at");
        Instant updatedAt = instant(r, "updated_at");
        List<ServiceInfo> services = new ArrayList<>();
        do {
            String name = r.getString("name");
            if (name != null) {
                services.add(new ServiceInfo(name, r.getInt("port"), AuthMode.valueOf(r.getString("auth_mode")), r.getString("url")));
            }
        } while (r.next());
        Map<String, String> urls = new LinkedHashMap<>();
        services.forEach(i -> urls.put(i.name(), i.url()));
        return new SandboxView(id, status, step == null ? null : ProvisionStep.valueOf(step), provider, snapshotId, presetId,
                templateVersion, vmid, node, urls, List.copyOf(services), ttlSeconds, ttlAction, expiresAt, idleTimeoutSeconds,
                wakeOnHttp, metadata, network, error, createdAt, updatedAt, null);
    }

    private static Instant instant(ResultSet r, String column) throws SQLException {
        OffsetDateTime at = r.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    private static Map<String, String> metadata(String id, String json) {
        try {
            return JSON.readValue(json, METADATA);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata of sandbox " + id + " is not a JSON object of strings", e);
        }
    }
}
