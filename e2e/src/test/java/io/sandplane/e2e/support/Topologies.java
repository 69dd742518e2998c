package io.sandplane.e2e.support;

import io.sandplane.devsupport.EmbeddedPostgres;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.topology.Topology;
import io.sandplane.devsupport.topology.Topology.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The topologies the suite runs against, each started once per test JVM on first use and stopped
 * when the JVM exits, each over its own PostgreSQL (two topologies over one database would see
 * each other's sandboxes as guests they cannot find). Logs of every process go to
 * {@code e2e/target/e2e/<topology>/logs/<service>[-n].log}.
 */
public final class Topologies {

    /** The reapers pass every second, so an expired TTL or a stuck start is acted on within seconds. */
    static final String REAPER_INTERVAL = "1s";

    private static E2eTopology shared;
    private static E2eTopology replicated;

    private Topologies() {
    }

    /**
     * One replica of every service: the scenario of a user, the cmux facade, the PostgreSQL outage.
     * The reaper passes every second so that a short TTL is seen expiring.
     */
    public static synchronized E2eTopology shared() {
        if (shared == null) {
            shared = start("shared", builder -> builder.env(Service.REAPER, "REAPER_INTERVAL", REAPER_INTERVAL));
        }
        return shared;
    }

    /**
     * Two replicas each of sandbox-api, provisioner and reaper (one url-router) over one database:
     * the fault runs that kill a provisioner, make PVE fail, and race replicas. A start that made no
     * progress for 5 s is recovered by the reaper (a crashed provisioner's start), instead of 15 minutes.
     */
    public static synchronized E2eTopology replicated() {
        if (replicated == null) {
            replicated = start("replicated", builder -> builder
                    .replicas(Service.SANDBOX_API, 2)
                    .replicas(Service.PROVISIONER, 2)
                    .replicas(Service.REAPER, 2)
                    .env(Service.REAPER, "REAPER_INTERVAL", REAPER_INTERVAL)
                    .env(Service.REAPER, "REAPER_PROVISIONING_DEADLINE", "5s")
                    .env(Service.REAPER, "REAPER_DELETING_DEADLINE", "5s"));
        }
        return replicated;
    }

    private interface Customizer {
        Topology.Builder apply(Topology.Builder builder);
    }

    private static E2eTopology start(String name, Customizer customizer) {
        Path dir = ProjectLayout.root().resolve("e2e/target/e2e").resolve(name);
        Path data;
        try {
            Files.createDirectories(dir.resolve("logs"));
            data = Files.createTempDirectory(dir, "postgres-").resolve("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        EmbeddedPostgres postgres = EmbeddedPostgres.builder(data).durabilityOff()
                .logFile(dir.resolve("logs/postgres.log")).start();
        Topology topology;
        try {
            long began = System.nanoTime();
            topology = customizer.apply(Topology.builder(postgres, dir.resolve("logs"))
                            .listener((service, replica) -> System.out.printf("e2e %s: starting %s #%d%n", name, service.module(),
                                    replica + 1)))
                    .start();
            System.out.printf("e2e %s: topology ready in %d ms (logs in %s)%n", name, (System.nanoTime() - began) / 1_000_000,
                    dir.resolve("logs"));
        } catch (RuntimeException e) {
            postgres.stop();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            topology.close();
            postgres.stop();
        }, "stop-e2e-" + name));
        return new E2eTopology(name, topology);
    }
}
