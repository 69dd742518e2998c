package io.sandplane.reaper.service;

import io.agroal.api.AgroalDataSource;
import io.sandplane.reaper.config.ReaperConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which reaper replica acts: the one holding the reaper lock ({@link LeaderLock}). Every tick tries
 * to take or keep it; the pass checks it again before every action.
 */
@ApplicationScoped
public class Leadership {

    private static final Logger LOG = Logger.getLogger(Leadership.class);

    /** The advisory-lock key of reaper leadership ("SndplnRp" in ASCII). */
    public static final long LOCK_KEY = 0x536e64706c6e5270L;

    private final LeaderLock lock;
    private final AgroalDataSource dataSource;
    private final Clock clock;
    private final String instance;
    private volatile Instant leaderSince;

    public Leadership(ReaperConfig config, AgroalDataSource dataSource, Clock clock,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.instance = config.instanceId().filter(s -> !s.isBlank()).orElseGet(Leadership::defaultInstance);
        Properties props = new Properties();
        username.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        // Named, so that pg_stat_activity (and the status endpoint) show who leads.
        props.setProperty("ApplicationName", applicationName(instance));
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "10");
        props.setProperty("tcpKeepAlive", "true");
        // Not from the pool: the lock must live exactly as long as a connection this class owns.
        org.postgresql.Driver driver = new org.postgresql.Driver();
        this.lock = new LeaderLock(() -> {
            Connection c = driver.connect(jdbcUrl, props);
            if (c == null) {
                throw new SQLException("not a PostgreSQL URL: " + jdbcUrl);
            }
            return c;
        }, LOCK_KEY);
    }

    public String instance() {
        return instance;
    }

    /** Takes or keeps leadership; false when another replica leads or the database is unreachable. */
    public boolean lead() {
        boolean leading = lock.tryAcquire();
        noteRole(leading);
        return leading;
    }

    /** Checked before every action: a leader that lost its database session stops at once. */
    public boolean stillLeading() {
        boolean leading = lock.stillHeld();
        noteRole(leading);
        return leading;
    }

    public boolean isLeader() {
        return leaderSince != null && lock.held();
    }

    public Optional<Instant> leaderSince() {
        return Optional.ofNullable(leaderSince);
    }

    /** Who holds the lock according to the database, whoever asks. */
    public Optional<String> currentLeader() {
        try (Connection c = dataSource.getConnection()) {
            return LeaderLock.holder(c, LOCK_KEY).map(Leadership::instanceOf);
        } catch (SQLException e) {
            LOG.debugf("cannot read who leads: %s", e.getMessage());
            return Optional.empty();
        }
    }

    @PreDestroy
    void stepDown() {
        if (lock.held()) {
            LOG.infof("reaper %s steps down", instance);
        }
        lock.release();
        leaderSince = null;
    }

    private synchronized void noteRole(boolean leading) {
        if (leading && leaderSince == null) {
            leaderSince = clock.instant();
            LOG.infof("reaper %s is now the leader", instance);
        } else if (!leading && leaderSince != null) {
            leaderSince = null;
            LOG.warnf("reaper %s is no longer the leader: it stops acting", instance);
        }
    }

    static final String APPLICATION_PREFIX = "sandplane-reaper ";

    static String applicationName(String instance) {
        String name = APPLICATION_PREFIX + instance;
        // PostgreSQL keeps the first 63 bytes of application_name.
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    static String instanceOf(String applicationName) {
        return applicationName.startsWith(APPLICATION_PREFIX) ? applicationName.substring(APPLICATION_PREFIX.length())
                : applicationName;
    }

    private static String defaultInstance() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "reaper";
            }
        }
        return host + ":" + ProcessHandle.current().pid();
    }

}
