package io.sandplane.urlrouter.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.service.PublicDomain;
import io.sandplane.model.service.ServiceUrls;
import io.sandplane.urlrouter.network.SandboxNetwork;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How a sandbox row becomes a guest address: the URL forms without a public domain, and the proxy's upstream as the
 * sandbox network judges it.
 */
class RouteLoaderTest {

    private static Sandbox row(String hostname, String fqdn, String ip) {
        Sandbox s = new Sandbox();
        s.vmid = 123;
        s.hostname = hostname;
        s.fqdn = fqdn;
        s.ip = ip;
        return s;
    }

    @Test
    void urlsFallBackFromThePublicDomainToTheFqdnToTheIp() {
        Sandbox both = row("sbx-1", "sbx-1.lan.example", "10.0.0.5");
        assertThat(ServiceUrls.build(Optional.of(PublicDomain.of("sb.example.com", Optional.empty())), RouteLoader.guestAddress(both), 5173))
                .contains("https://port-5173-vm-123.sb.example.com");
        assertThat(ServiceUrls.build(Optional.empty(), RouteLoader.guestAddress(both), 5173)).contains("http://sbx-1.lan.example:5173");
        assertThat(ServiceUrls.build(Optional.empty(), RouteLoader.guestAddress(row(null, null, "10.0.0.5")), 5173))
                .contains("http://10.0.0.5:5173");
        assertThat(ServiceUrls.build(Optional.empty(), RouteLoader.guestAddress(row(null, null, null)), 5173)).isEmpty();
        // An FQDN recorded without its hostname still yields the FQDN form.
        assertThat(ServiceUrls.build(Optional.empty(), RouteLoader.guestAddress(row(null, "sbx-2.lan.example", null)), 80))
                .contains("http://sbx-2.lan.example:80");
    }

    private static final SandboxNetwork NETWORK = SandboxNetwork.configured(Optional.of("10.0.0.0/24,fd00:10::/64"),
            Optional.of("10.0.0.1"), List.of());

    @Test
    void theServiceAddressIsTheRecordedIpElseTheFqdn() throws Exception {
        assertThat(RouteLoader.serviceAddress(row("h", "h.lan", "10.0.0.5"), NETWORK))
                .isEqualTo(new ServiceAddress.Ip(InetAddress.getByName("10.0.0.5"), "10.0.0.5"));
        assertThat(RouteLoader.serviceAddress(row("h", "h.lan", "fd00:10:0:0:0:0:0:0005"), NETWORK))
                .isEqualTo(new ServiceAddress.Ip(InetAddress.getByName("fd00:10::5"), "fd00:10:0:0:0:0:0:5"));
        assertThat(RouteLoader.serviceAddress(row("h", "h.lan", null), NETWORK)).isEqualTo(new ServiceAddress.Name("h.lan"));
        assertThat(RouteLoader.serviceAddress(row("h", null, " "), NETWORK)).isNull();
    }

    @Test
    void aRecordedIpIsJudgedByWhatItStrictlyNamesAndNeverFallsBackToTheFqdn() {
        Map<String, SandboxNetwork.Verdict> refused = Map.of(
                "10.0.1.5", SandboxNetwork.Verdict.OUTSIDE_POOL,
                "10.0.0.1", SandboxNetwork.Verdict.CONTROL_PLANE,
                "::ffff:10.0.0.1", SandboxNetwork.Verdict.NOT_AN_ADDRESS,
                "127.0.0.1", SandboxNetwork.Verdict.RESERVED,
                "010.0.0.5", SandboxNetwork.Verdict.NOT_AN_ADDRESS,
                "10.0.0.5 ", SandboxNetwork.Verdict.NOT_AN_ADDRESS,
                "sbx-1.lan", SandboxNetwork.Verdict.NOT_AN_ADDRESS,
                "10.0.0.5/24", SandboxNetwork.Verdict.NOT_AN_ADDRESS);
        refused.forEach((ip, verdict) -> assertThat(RouteLoader.serviceAddress(row("h", "h.lan", ip), NETWORK)).as(ip)
                .isEqualTo(new ServiceAddress.Refused(ip, verdict)));
        // IPv4-mapped text is no address to the shared parser, so even a pool address written so is not routed: failing
        // closed (the url-router's own parser used to read it as the IPv4 address it carries).
        assertThat(RouteLoader.serviceAddress(row("h", null, "::ffff:10.0.0.5"), NETWORK))
                .isEqualTo(new ServiceAddress.Refused("::ffff:10.0.0.5", SandboxNetwork.Verdict.NOT_AN_ADDRESS));
    }
}
