package io.sandplane.reaper.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.test.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reaper leadership on a real PostgreSQL: two replicas, one lock. */
class LeaderLockTest {

    // A key of this test's own: the reaper under test elsewhere in this JVM holds the real one.
    private final long key = ThreadLocalRandom.current().nextLong();
    private final LeaderLock first = new LeaderLock(() -> connect("first"), key);
    private final LeaderLock second = new LeaderLock(() -> connect("second"), key);

    @AfterEach
    void release() {
        first.release();
        second.release();
    }

    @Test
    void onlyOneReplicaHoldsTheLock() {
        assertThat(first.tryAcquire()).isTrue();
        assertThat(second.tryAcquire()).isFalse();
        assertThat(first.tryAcquire()).as("the leader keeps it").isTrue();
        assertThat(second.tryAcquire()).isFalse();
        assertThat(first.stillHeld()).isTrue();
        assertThat(second.stillHeld()).isFalse();
    }

    @Test
    void theOtherTakesOverOnceTheLeaderStepsDown() {
        assertThat(first.tryAcquire()).isTrue();
        first.release();
        assertThat(first.held()).isFalse();
        assertThat(second.tryAcquire()).isTrue();
        assertThat(first.tryAcquire()).isFalse();
    }

    @Test
    void theDatabaseNamesTheHolder() throws SQLException {
        assertThat(second.tryAcquire()).isTrue();
        try (Connection any = connect("observer")) {
            assertThat(LeaderLock.holder(any, key)).contains("sandplane-reaper second");
            second.release();
            assertThat(LeaderLock.holder(any, key)).isEmpty();
        }
    }

    @Test
    void aLeaderWhoseSessionDiesStopsAtOnceAndTheOtherTakesOver() throws SQLException {
        assertThat(first.tryAcquire()).isTrue();
        // The leader's connection is cut from the server side, as when the database drops it.
        try (Connection admin = connect("admin"); Statement st = admin.createStatement()) {
            st.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'sandplane-reaper first'");
        }
        assertThat(first.stillHeld()).isFalse();
        assertThat(first.held()).isFalse();
        assertThat(second.tryAcquire()).isTrue();
    }

    @Test
    void noReplicaLeadsWithoutTheDatabaseAndOneLeadsAgainWhenItIsBack() {
        EmbeddedPostgres pg = SharedPostgres.get();
        assertThat(first.tryAcquire()).isTrue();
        pg.stop();
        try {
            assertThat(first.stillHeld()).as("the leader notices at its next check").isFalse();
            assertThat(second.tryAcquire()).isFalse();
            assertThat(first.tryAcquire()).isFalse();
        } finally {
            pg.start();
        }
        assertThat(second.tryAcquire()).isTrue();
        assertThat(first.tryAcquire()).isFalse();
    }

    private static Connection connect(String name) throws SQLException {
        EmbeddedPostgres pg = SharedPostgres.get();
        Properties props = new Properties();
        props.setProperty("user", EmbeddedPostgres.USER);
        props.setProperty("ApplicationName", "sandplane-reaper " + name);
        props.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }
}
