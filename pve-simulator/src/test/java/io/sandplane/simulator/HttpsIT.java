package io.sandplane.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.devsupport.simulator.SharedSimulator;
import io.sandplane.devsupport.simulator.SimGuest;
import io.sandplane.devsupport.simulator.SimulatorControl;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SIM_TLS=true: the packaged simulator serving HTTPS with the self-signed certificate it issued at start. */
class HttpsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SharedSimulator sim = SharedSimulator.getHttps();

    @BeforeEach
    void reset() {
        sim.control().reset();
    }

    @Test
    void aClientThatSkipsVerificationTalksToIt() throws Exception {
        HttpClient insecure = HttpClient.newBuilder().sslContext(acceptAnything()).build();
        HttpResponse<String> version = insecure.send(api("/version"), HttpResponse.BodyHandlers.ofString());
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(version.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(JSON.readTree(version.body()).at("/data/release").asText()).isEqualTo("9.1");
    }

    @Test
    void aClientThatTrustsTheGeneratedCertificateVerifiesIt() throws Exception {
        assertThat(sim.baseUrl()).startsWith("https://127.0.0.1:");
        HttpClient trusting = HttpClient.newBuilder().sslContext(SharedSimulator.trusting(sim.certificateFile().orElseThrow()))
                .build();
        // host name verification is on: the certificate names 127.0.0.1 and localhost
        assertThat(trusting.send(api("/nodes"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpRequest byName = HttpRequest.newBuilder(URI.create("https://localhost:" + sim.port() + "/api2/json/version"))
                .header("Authorization", "PVEAPIToken=" + sim.token()).build();
        assertThat(trusting.send(byName, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // the operator controls are behind the same TLS
        sim.control().zeroLatencies();
        assertThat(sim.control().latencies()).containsEntry("clone", 0L);
    }

    @Test
    void theDefaultTrustStoreRefusesTheSelfSignedCertificateAndPlainHttpGetsNoAnswer() throws Exception {
        HttpClient verifying = HttpClient.newHttpClient();
        assertThatThrownBy(() -> verifying.send(api("/version"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
        HttpRequest plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port() + "/api2/json/version"))
                .timeout(Duration.ofSeconds(10)).build();
        assertThatThrownBy(() -> verifying.send(plain, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void theCertificateIsSelfSignedForTheLoopbackNamesAndPveShowsItsFingerprint() throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(sim.certificateFile().orElseThrow())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        cert.checkValidity();
        cert.verify(cert.getPublicKey());
        assertThat(cert.getSubjectX500Principal()).isEqualTo(cert.getIssuerX500Principal());
        assertThat(cert.getSubjectAlternativeNames()).extracting(n -> n.get(1).toString())
                .contains("localhost", "127.0.0.1");
        String fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        // the same certificate is what the server presents, what /_sim/tls returns, and PVE's ssl_fingerprint
        SSLContext trusting = SharedSimulator.trusting(sim.certificateFile().orElseThrow());
        try (Socket socket = trusting.getSocketFactory().createSocket("127.0.0.1", sim.port())) {
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) socket;
            tls.startHandshake();
            assertThat(tls.getSession().getPeerCertificates()[0]).isEqualTo(cert);
        }
        HttpClient client = HttpClient.newBuilder().sslContext(trusting).build();
        JsonNode nodes = JSON.readTree(client.send(api("/nodes"), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(nodes.get("data").findValuesAsText("ssl_fingerprint")).hasSize(3).containsOnly(fingerprint);
        JsonNode tls = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/_sim/tls")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(tls.get("enabled").asBoolean()).isTrue();
        assertThat(tls.get("fingerprint").asText()).isEqualTo(fingerprint);
        assertThat(tls.get("certificate").asText()).isEqualTo(Files.readString(sim.certificateFile().orElseThrow()));
        HttpResponse<String> pem = client.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/_sim/tls/certificate")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pem.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/x-pem-file"));
        assertThat(pem.body()).isEqualTo(tls.get("certificate").asText());
    }

    @Test
    void guestsStillAnswerOnPlainHttpBehindAnHttpsApi() throws Exception {
        SimulatorControl control = sim.control();
        control.zeroLatencies();
        String clone = control.api("POST", "/nodes/pve2/lxc/9003/clone", Map.of("newid", "260", "hostname", "tls-guest"))
                .data().asText();
        assertThat(control.awaitTask("pve2", clone, Duration.ofSeconds(10))).isEqualTo("OK");
        String start = control.api("POST", "/nodes/pve2/lxc/260/status/start", Map.of()).data().asText();
        assertThat(control.awaitTask("pve2", start, Duration.ofSeconds(10))).isEqualTo("OK");
        SimGuest guest = control.guest(260).orElseThrow();
        HttpResponse<String> echo = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + guest.address() + ":39377/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(echo.body()).get("vmid").asInt()).isEqualTo(260);
        assertThat(control.calls("POST", ".*/clone")).extracting(c -> c.status()).isEqualTo(List.of(200));
    }

    private HttpRequest api(String path) {
        return HttpRequest.newBuilder(URI.create(sim.apiUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "PVEAPIToken=" + sim.token()).build();
    }

    /** What PVE_VERIFY_TLS=false amounts to: no certificate or host name checks. */
    private static SSLContext acceptAnything() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }
}
