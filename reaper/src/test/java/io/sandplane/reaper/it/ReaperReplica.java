package io.sandplane.reaper.it;

import static io.restassured.RestAssured.given;

import io.restassured.path.json.JsonPath;
import io.sandplane.devsupport.ProjectLayout;
import io.sandplane.devsupport.ServiceProcess;
import io.sandplane.devsupport.provisioner.SharedProvisioner;
import io.sandplane.devsupport.test.SharedPostgres;
import io.sandplane.model.internal.InternalToken;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A built reaper jar running as its own process, as deployed: configured by environment variables. */
final class ReaperReplica implements AutoCloseable {

    static final String TOKEN = SharedProvisioner.INTERNAL_TOKEN;

    private final String name;
    private final ServiceProcess process;

    private ReaperReplica(String name, ServiceProcess process) {
        this.name = name;
        this.process = process;
    }

    /** A replica that talks to the JVM's shared provisioner. */
    static ReaperReplica start(String name, Duration interval) {
        return start(name, interval, SharedProvisioner.get().url(), Map.of());
    }

    static ReaperReplica start(String name, Duration interval, String provisionerUrl, Map<String, String> extraEnv) {
        Map<String, String> env = new LinkedHashMap<>(SharedPostgres.datasourceEnv());
        env.put("SANDPLANE_INTERNAL_TOKEN", TOKEN);
        env.put("SANDPLANE_PROVISIONER_URL", provisionerUrl);
        env.put("REAPER_INTERVAL", interval.toMillis() + "ms");
        env.put("REAPER_INSTANCE_ID", name);
        env.putAll(extraEnv);
        ServiceProcess process = ServiceProcess.of("reaper")
                .env(env)
                .logFile(ProjectLayout.root().resolve("reaper/target/reaper-it-" + name + ".log"))
                .start();
        return new ReaperReplica(name, process);
    }

    String name() {
        return name;
    }

    String url() {
        return process.url();
    }

    URI ready() {
        return URI.create(process.managementUrl() + "/q/health/ready");
    }

    JsonPath status() {
        return given().baseUri(process.url()).header(InternalToken.HEADER, TOKEN).get("/internal/reaper/status")
                .then().statusCode(200).extract().jsonPath();
    }

    boolean leads() {
        return status().getBoolean("leader");
    }

    /** How many actions this replica took, by the rule's id, as its metrics count them (outcome done). */
    double actionsDone(String rule) {
        double total = 0;
        for (String line : metrics().split("\n")) {
            if (line.startsWith("reaper_actions_total{") && line.contains("rule=\"" + rule + "\"")
                    && line.contains("outcome=\"done\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    String metrics() {
        return given().baseUri(process.managementUrl()).get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** SIGKILL, like a crashed node. */
    void kill() {
        process.kill();
    }

    void stop() {
        process.stop();
    }

    boolean running() {
        return process.isRunning();
    }

    @Override
    public void close() {
        process.stop();
    }
}
