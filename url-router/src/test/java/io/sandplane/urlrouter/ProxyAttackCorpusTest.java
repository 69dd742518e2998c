package io.sandplane.urlrouter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.provisioner.SharedProvisionerResource;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.service.AuthMode;
import io.sandplane.urlrouter.proxy.ProxyServer;
import io.sandplane.urlrouter.support.Fixtures;
import io.sandplane.urlrouter.support.ProxyClient;
import io.sandplane.urlrouter.support.TrapGuest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Host headers and request lines that must not reach any guest. Every sandbox here points at trap
 * sockets that count connections on every port the corpus names; each request must be answered
 * 404 (the same 404 whatever the reason) and no trap may see a connection.
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = SharedProvisionerResource.class, scope = TestResourceScope.GLOBAL)
class ProxyAttackCorpusTest {

    private static final int[] TRAPPED_PORTS = { 22, 80, 443, 5173, 8006, 39375, 39377, 39378 };

    @Inject
    ProxyServer proxy;

    @Test
    void everyRequestInTheCorpusGets404AndOpensNoUpstreamConnection() {
        try (TrapGuest trapA = TrapGuest.start(TRAPPED_PORTS); TrapGuest trapB = TrapGuest.start(TRAPPED_PORTS);
                TrapGuest trapGone = TrapGuest.start(TRAPPED_PORTS)) {
            Fixtures.Sandbox a = Fixtures.sandbox().ip(trapA.ip()).token("tok-a").service("vscode", 39378, AuthMode.PUBLIC).insert();
            // B exists and exposes nothing on 5173; "gone" was deleted but its row (and VMID) remain.
            Fixtures.Sandbox b = Fixtures.sandbox().ip(trapB.ip()).service("worker", 39377, AuthMode.PUBLIC).insert();
            Fixtures.Sandbox gone = Fixtures.sandbox().ip(trapGone.ip()).status(SandboxStatus.DELETED)
                    .service("vscode", 39378, AuthMode.PUBLIC).insert();
            Fixtures.Sandbox failed = Fixtures.sandbox().ip(trapGone.ip()).status(SandboxStatus.FAILED)
                    .service("vscode", 39378, AuthMode.PUBLIC).insert();
            int va = a.vmid();
            int unknown = Fixtures.nextVmid();
            String good = "port-39378-vm-" + va + D;

            Map<String, String> corpus = new LinkedHashMap<>();
            corpus.put("another vmid (unknown)", get("port-39378-vm-" + unknown + D));
            corpus.put("another vmid (exists, port not exposed there)", get("port-39378-vm-" + b.vmid() + D));
            corpus.put("deleted sandbox", get("port-39378-vm-" + gone.vmid() + D));
            corpus.put("failed sandbox", get("port-39378-vm-" + failed.vmid() + D));
            corpus.put("unexposed port", get("port-5173-vm-" + va + D));
            corpus.put("port 22", get("port-22-vm-" + va + D));
            corpus.put("exec port", get("port-39375-vm-" + va + D));
            corpus.put("port 0", get("port-0-vm-" + va + D));
            corpus.put("port above 65535", get("port-65536-vm-" + va + D));
            corpus.put("leading zero port", get("port-039378-vm-" + va + D));
            corpus.put("leading zero vmid", get("port-39378-vm-0" + va + D));
            corpus.put("negative port", get("port--1-vm-" + va + D));
            corpus.put("IPv4 literal", get(trapA.ip() + ":39378"));
            corpus.put("IPv4 literal without port", get(trapA.ip()));
            corpus.put("IPv6 literal", get("[::1]:39378"));
            corpus.put("localhost", get("localhost:39378"));
            corpus.put("the bare domain", get("sandplane.localhost:8088"));
            corpus.put("userinfo before", get("user@" + good));
            corpus.put("userinfo after", get(good + "@" + trapA.ip()));
            corpus.put("credentials", get("user:pass@" + good));
            corpus.put("mixed case", get("Port-39378-VM-" + va + ".Sandplane.Localhost:8088"));
            corpus.put("upper case domain", get("port-39378-vm-" + va + ".SANDPLANE.LOCALHOST:8088"));
            corpus.put("trailing dot", get("port-39378-vm-" + va + ".sandplane.localhost.:8088"));
            corpus.put("trailing dot after the port", get(good + "."));
            corpus.put("two trailing dots", get(good + ".."));
            corpus.put("extra port", get(good + ":8088"));
            corpus.put("missing port", get("port-39378-vm-" + va + ".sandplane.localhost"));
            corpus.put("other port", get("port-39378-vm-" + va + ".sandplane.localhost:9999"));
            corpus.put("empty port", get(good + ":"));
            corpus.put("suffix after the domain", get(good + ".evil.example"));
            corpus.put("other domain", get("port-39378-vm-" + va + ".evil.example"));
            corpus.put("domain as a subdomain", get("port-39378-vm-" + va + ".sandplane.localhost.evil.example:8088"));
            corpus.put("extra label before", get("x." + good));
            corpus.put("percent-encoded", get("port%2D39378-vm-" + va + D));
            corpus.put("non-ASCII look-alike", get("p\u043ert-39378-vm-" + va + D));
            corpus.put("non-ASCII digit", get("port-3937\u0668-vm-" + va + D));
            corpus.put("very long Host", get("port-39378-vm-" + va + "." + "a".repeat(4000) + D));
            corpus.put("very long label", get("port-" + "9".repeat(300) + "-vm-" + va + D));
            corpus.put("empty Host", get(""));
            corpus.put("comma-joined Hosts", get(good + "," + good));
            corpus.put("no Host (HTTP/1.0)", "GET / HTTP/1.0\r\n\r\n");
            corpus.put("no Host (HTTP/1.1)", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
            corpus.put("duplicate Host, both valid", "GET / HTTP/1.1\r\nHost: " + good + "\r\nHost: " + good + "\r\nConnection: close\r\n\r\n");
            corpus.put("duplicate Host, other sandbox second", "GET / HTTP/1.1\r\nHost: " + good + "\r\nHost: port-39377-vm-" + b.vmid()
                    + D + "\r\nConnection: close\r\n\r\n");
            corpus.put("absolute-form to the guest", "GET http://" + trapA.ip() + ":39378/ HTTP/1.1\r\nHost: " + good
                    + "\r\nConnection: close\r\n\r\n");
            corpus.put("absolute-form to a sandbox host", "GET http://" + good + "/ HTTP/1.1\r\nHost: " + good
                    + "\r\nConnection: close\r\n\r\n");
            corpus.put("absolute-form with other Host", "GET http://" + good + "/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
            corpus.put("authority-form CONNECT", "CONNECT " + trapA.ip() + ":22 HTTP/1.1\r\nHost: " + trapA.ip()
                    + ":22\r\nConnection: close\r\n\r\n");
            corpus.put("CONNECT to a sandbox host", "CONNECT " + good + ":443 HTTP/1.1\r\nHost: " + good + "\r\nConnection: close\r\n\r\n");
            corpus.put("asterisk-form OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: " + good + "\r\nConnection: close\r\n\r\n");
            corpus.put("h2c upgrade of an unexposed port", "GET / HTTP/1.1\r\nHost: port-5173-vm-" + va
                    + D + "\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n");
            corpus.put("WebSocket upgrade of an unexposed port", "GET / HTTP/1.1\r\nHost: port-5173-vm-" + va
                    + D + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            corpus.put("unexposed port with a body", "POST / HTTP/1.1\r\nHost: port-5173-vm-" + va
                    + D + "\r\nContent-Length: 5\r\n\r\nhello");

            ProxyClient client = new ProxyClient(proxy.port());
            List<String> wrong = new ArrayList<>();
            String referenceBody = null;
            for (Map.Entry<String, String> attack : corpus.entrySet()) {
                String answer = client.raw(attack.getValue());
                int status = ProxyClient.status(answer);
                if (status != 404) {
                    wrong.add(attack.getKey() + " -> " + (status < 0 ? "no answer" : answer.lines().findFirst().orElse("")));
                    continue;
                }
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                if (referenceBody == null) {
                    referenceBody = body;
                } else if (!referenceBody.equals(body)) {
                    wrong.add(attack.getKey() + " -> a different 404 body: " + body);
                }
            }
            assertThat(wrong).as("requests not answered with the one 404").isEmpty();

            // Not HTTP/1.x at all: refused at the protocol level (the proxy speaks HTTP/1.1 only, h2c is off): 505.
            String preface = client.raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            assertThat(ProxyClient.status(preface)).as("answer to an HTTP/2 preface").isEqualTo(505);
            assertThat(referenceBody).doesNotContain(Integer.toString(va)).doesNotContain(trapA.ip());
            assertThat(trapA.connections() + trapB.connections() + trapGone.connections())
                    .as("connections opened to trap guests").isZero();

            // The traps do see a connection the proxy is allowed to make: the exposed port of A.
            String allowed = client.raw(get(good));
            assertThat(ProxyClient.status(allowed)).isEqualTo(502);
            await().atMost(Duration.ofSeconds(5)).until(() -> trapA.connections() == 1);
            assertThat(trapB.connections() + trapGone.connections()).isZero();
        }
    }

    /** The test profile's public domain. */
    private static final String D = ".sandplane.localhost:8088";

    private static String get(String host) {
        return "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }
}
