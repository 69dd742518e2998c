package io.sandplane.urlrouter.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.service.PublicDomain;
import io.sandplane.model.service.ServiceUrls;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a sandbox row becomes a guest address: the URL forms without a public domain, and the proxy's upstream. */
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

    @Test
    void theUpstreamIsTheRecordedIpElseTheFqdn() {
        assertThat(RouteLoader.upstreamHost(row("h", "h.lan", "10.0.0.5"))).isEqualTo("10.0.0.5");
        assertThat(RouteLoader.upstreamHost(row("h", "h.lan", null))).isEqualTo("h.lan");
        assertThat(RouteLoader.upstreamHost(row("h", null, " "))).isNull();
    }
}
