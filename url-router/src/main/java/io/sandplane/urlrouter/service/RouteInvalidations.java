package io.sandplane.urlrouter.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Listens on the {@code sandplane_routes} channel (notified by database triggers, migration V20)
 * on a dedicated connection and drops the changed VMIDs from the route cache. Every replica does
 * this, which is what makes a delete or pause stop routing on all of them at once.
 */
@ApplicationScoped
public class RouteInvalidations {

    static final String CHANNEL = "sandplane_routes";
    private static final Logger LOG = Logger.getLogger(RouteInvalidations.class);
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
    private static final int POLL_MILLIS = 500;
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final RouteResolver resolver;
    private final String jdbcUrl;
    private final Optional<String> username;
    private final Optional<String> password;
    private volatile boolean running;
    private volatile boolean listening;
    private Thread thread;

    public RouteInvalidations(RouteResolver resolver,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.resolver = resolver;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = Thread.ofPlatform().daemon().name("route-invalidations").start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Whether database changes currently reach the cache. */
    public boolean listening() {
        return listening;
    }

    private void run() {
        while (running) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials())) {
                try (Statement listen = connection.createStatement()) {
                    listen.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                setListening(true);
                LOG.debugf("listening for route changes on %s", CHANNEL);
                long nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            apply(n.getParameter());
                        }
                    }
                    // A silently dropped connection never wakes getNotifications: probe it now and then.
                    if (System.nanoTime() > nextCheck) {
                        if (!connection.isValid(2)) {
                            throw new SQLException("route notification connection is no longer valid");
                        }
                        nextCheck = System.nanoTime() + CHECK_EVERY.toNanos();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    LOG.warnf("route change notifications interrupted (%s); routing from the database until they are back",
                            e.getMessage());
                }
            } finally {
                setListening(false);
            }
            pause(RECONNECT_DELAY);
        }
    }

    private java.util.Properties credentials() {
        java.util.Properties properties = new java.util.Properties();
        username.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("ApplicationName", "url-router route invalidations");
        return properties;
    }

    private void apply(String payload) {
        try {
            resolver.invalidate(Integer.parseInt(payload));
        } catch (NumberFormatException e) {
            resolver.invalidateAll();
        }
    }

    private void setListening(boolean value) {
        listening = value;
        resolver.invalidationsLive(value);
    }

    private void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
