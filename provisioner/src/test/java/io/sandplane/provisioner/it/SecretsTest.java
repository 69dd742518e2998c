package io.sandplane.provisioner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.simulator.Fault;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.devsupport.test.PveSimulatorResource;
import io.sandplane.model.api.SandboxState;
import io.sandplane.provisioner.client.PveClient;
import io.sandplane.provisioner.client.PveException;
import io.sandplane.provisioner.config.ProvisionerConfig;
import io.sandplane.provisioner.config.ProvisionerSettings;
import io.sandplane.provisioner.support.Fixtures;
import io.sandplane.provisioner.support.InternalApi;
import io.sandplane.provisioner.support.Sim;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The PVE token never shows up in errors, problems, events, metrics or the log. */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PveSimulatorResource.class, scope = TestResourceScope.GLOBAL)
class SecretsTest {

    /** Prometheus metrics, on the management interface. */
    @TestHTTPResource(value = "metrics", management = true)
    URI metricsUrl;

    private static final String SECRET = SharedSimulator.TOKEN_SECRET;

    @Inject
    Fixtures fixtures;

    @BeforeEach
    void freshSimulator() {
        Sim.fresh();
    }

    @Test
    void failuresNeverCarryTheToken() throws Exception {
        Sim.control().addFault(Fault.error("POST", "/nodes/[^/]+/lxc/\\d+/clone", 500, "clone failed"));
        String id = fixtures.sandbox().insert();
        SandboxState failed = InternalApi.provision(id);
        assertThat(failed.error()).doesNotContain(SECRET);
        assertThat(fixtures.events(id)).allSatisfy(e -> assertThat(String.valueOf(e.detail)).doesNotContain(SECRET));

        Sim.control().addFault(Fault.error("GET", "/version", 596, "Connection timed out"));
        String health = InternalApi.request().get("/internal/provider/health").asString();
        assertThat(health).contains("596").doesNotContain(SECRET);
        String metrics = io.restassured.RestAssured.get(metricsUrl).asString();
        assertThat(metrics).contains("sandplane_pve_call").doesNotContain(SECRET);

        Path log = Path.of("target/provisioner-test.log");
        assertThat(log).exists();
        assertThat(Files.readString(log)).doesNotContain(SECRET);
    }

    @Test
    void aRejectedTokenIsNotEchoed() {
        String wrong = "root@pam!sandplane=not-the-right-secret-1234";
        var config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(Map.of("PVE_API_URL", SharedSimulator.get().apiUrl(), "PVE_API_TOKEN", wrong,
                        "SANDPLANE_FIREWALL", "off"), 300) {
                })
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(ProvisionerConfig.class)
                .build();
        PveClient client = new PveClient(new ProvisionerSettings(config.getConfigMapping(ProvisionerConfig.class)),
                new SimpleMeterRegistry());
        assertThatThrownBy(client::version)
                .isInstanceOf(PveException.class)
                .satisfies(e -> assertThat(((PveException) e).status()).isEqualTo(401))
                .message().doesNotContain("not-the-right-secret-1234");
    }
}
