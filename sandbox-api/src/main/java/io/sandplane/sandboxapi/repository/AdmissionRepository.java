package io.sandplane.sandboxapi.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.sandplane.model.entity.IdempotencyKey;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.NetworkPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A start's admission as one call of {@code sandplane_admit_start} (V60, with the network policy since V70): the
 * team lock, the Idempotency-Key, the team's egress permissions, the live quota, the hourly limit and the inserts
 * in one database round trip, committed before it returns.
 *
 * <p>Plain JDBC on a connection of its own in autocommit: the statement is its own transaction, so its
 * commit is the same round trip; through a JTA transaction it would be a second one plus the
 * transaction manager's work, on the path of every start.
 */
@ApplicationScoped
public class AdmissionRepository {

    private static final String ADMIT = "select * from sandplane_admit_start(?::uuid, ?::timestamptz, ?::timestamptz,"
            + " ?::varchar, ?::varchar, ?::timestamptz, ?::varchar, ?::varchar, ?::varchar, ?::varchar, ?::integer,"
            + " ?::varchar, ?::integer, ?::varchar, ?::timestamptz, ?::integer, ?::boolean, ?::jsonb, ?::varchar,"
            + " ?::varchar, ?::varchar, ?::text, ?::varchar, ?::jsonb, ?::jsonb)";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the function decided; see V60__start_admission.sql and V70__network_policy.sql for each outcome. */
    public enum Outcome {
        ADMITTED, EARLIER, EGRESS_NOT_ALLOWED, QUOTA, RATE, NO_TEAM, TEAM_DISABLED
    }

    /**
     * @param windowCount       starts since the window's start (the new one not included)
     * @param windowOldest      the oldest of them, or null
     * @param network           ADMITTED: the policy recorded on the row (the team's default if the start named none)
     * @param teamEgressModes   the egress modes the team may ask for (empty for NO_TEAM)
     */
    public record Decision(Outcome outcome, String teamSlug, int maxLive, int perHour, long liveCount, int windowCount,
            Instant windowOldest, String earlierSandboxId, String earlierRequestHash, NetworkPolicy network,
            Set<EgressMode> teamEgressModes) {
    }

    private final AgroalDataSource dataSource;

    public AdmissionRepository(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Decides on the start of {@code sandbox} (all of whose timestamps are {@code sandbox.createdAt}) and,
     * if admitted, records it with {@code requested} as its first event and {@code key} (if any).
     *
     * @param network the policy the start asked for, or null for the team's default (the row's own egress
     *                columns are not read: the function fills them)
     */
    public Decision admit(Sandbox sandbox, SandboxEvent requested, NetworkPolicy network, Instant windowStart,
            Optional<IdempotencyKey> key) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            try (PreparedStatement s = c.prepareStatement(ADMIT)) {
                int i = 0;
                s.setObject(++i, sandbox.teamId);
                s.setObject(++i, at(sandbox.createdAt));
                s.setObject(++i, at(windowStart));
                s.setString(++i, key.map(k -> k.key).orElse(null));
                s.setString(++i, key.map(k -> k.requestHash).orElse(null));
                s.setObject(++i, key.map(k -> at(k.expiresAt)).orElse(null));
                s.setString(++i, sandbox.id);
                s.setString(++i, sandbox.provider.id());
                s.setString(++i, sandbox.snapshotId);
                s.setString(++i, sandbox.presetId);
                setInteger(s, ++i, sandbox.templateVersion);
                s.setString(++i, sandbox.status.name());
                s.setInt(++i, sandbox.ttlSeconds);
                s.setString(++i, sandbox.ttlAction.name());
                s.setObject(++i, at(sandbox.expiresAt));
                setInteger(s, ++i, sandbox.idleTimeoutSeconds);
                s.setBoolean(++i, sandbox.wakeOnHttp);
                s.setString(++i, json(sandbox));
                s.setString(++i, sandbox.accessTokenHash);
                s.setString(++i, requested.type.name());
                s.setString(++i, requested.actor);
                s.setString(++i, requested.detail);
                s.setString(++i, network == null ? null : network.egress().id());
                s.setString(++i, network == null ? null : NetworkJson.write(network.allow()));
                s.setString(++i, network == null ? null : NetworkJson.write(network.permissionsNeeded()));
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    Outcome outcome = Outcome.valueOf(r.getString("outcome"));
                    String modes = r.getString("team_egress_modes");
                    return new Decision(outcome, r.getString("team_slug"),
                            r.getInt("max_live"), r.getInt("per_hour"), r.getLong("live_count"), r.getInt("window_count"),
                            instant(r.getObject("window_oldest", OffsetDateTime.class)),
                            r.getString("earlier_sandbox_id"), r.getString("earlier_request_hash"),
                            outcome == Outcome.ADMITTED ? admitted(r) : null,
                            modes == null ? Set.of() : NetworkJson.modes("team_egress_modes", modes));
                }
            }
        } catch (SQLException e) {
            // The cause keeps its SQLState: an unreachable database is the shared 503, anything else a 500.
            throw new PersistenceException("admission of sandbox " + sandbox.id + " failed: " + e.getMessage(), e);
        }
    }

    private static NetworkPolicy admitted(ResultSet r) throws SQLException {
        return new NetworkPolicy(EgressMode.fromId(r.getString("admitted_egress")),
                NetworkJson.rules("admitted_egress_allow", r.getString("admitted_egress_allow")));
    }

    private static OffsetDateTime at(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    private static void setInteger(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }

    private static String json(Sandbox sandbox) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(sandbox.metadata));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata of " + sandbox.id + " is not serialisable", e);
        }
    }
}
