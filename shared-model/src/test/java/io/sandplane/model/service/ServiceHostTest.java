package io.sandplane.model.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceHostTest {

    private static final PublicDomain DOMAIN = PublicDomain.of("sandboxes.example.com", Optional.empty());
    private static final PublicDomain LOCAL = PublicDomain.of("sandplane.localhost:8088", Optional.empty());

    @Test
    void parsesWhatTheBuilderProduces() {
        assertThat(ServiceHost.parse("port-39378-vm-200.sandboxes.example.com", DOMAIN))
                .contains(new ServiceHost(39378, 200));
        assertThat(ServiceHost.parse(ServiceUrls.publicHost(DOMAIN, 999999999, 65535), DOMAIN))
                .contains(new ServiceHost(65535, 999999999));
        assertThat(ServiceHost.parse("port-1-vm-100.sandboxes.example.com", DOMAIN)).contains(new ServiceHost(1, 100));
    }

    @Test
    void aDomainWithAPortNeedsThatPort() {
        assertThat(ServiceHost.parse("port-5173-vm-4242.sandplane.localhost:8088", LOCAL)).contains(new ServiceHost(5173, 4242));
        assertThat(ServiceHost.parse("port-5173-vm-4242.sandplane.localhost", LOCAL)).isEmpty();
        assertThat(ServiceHost.parse("port-5173-vm-4242.sandplane.localhost:8089", LOCAL)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "sandboxes.example.com", "port-39378-vm-200.sandboxes.example.com.", "PORT-39378-vm-200.sandboxes.example.com",
        "port-39378-VM-200.sandboxes.example.com", "port-39378-vm-200.Sandboxes.example.com", "port-39378-vm-200.sandboxes.example.com:443",
        "port-39378-vm-200.sandboxes.example.com:8088", "port-0-vm-200.sandboxes.example.com", "port-65536-vm-200.sandboxes.example.com",
        "port-039378-vm-200.sandboxes.example.com", "port-39378-vm-0200.sandboxes.example.com", "port-39378-vm-99.sandboxes.example.com",
        "port-39378-vm-1000000000.sandboxes.example.com", "port--1-vm-200.sandboxes.example.com", "port-39378-vm--200.sandboxes.example.com",
        "port-39378-vm-200.evil.sandboxes.example.com", "port-39378-vm-200.sandboxes.example.com.evil.com", "port-39378-vm-200-x.sandboxes.example.com",
        "port-39378-vm-200.xsandboxes.example.com", "user@port-39378-vm-200.sandboxes.example.com", "port-39378-vm-200@sandboxes.example.com",
        "port-3937８-vm-200.sandboxes.example.com", "port-39378-vm-2００.sandboxes.example.com", "port-39378-vm-200 .sandboxes.example.com",
        "port-39378-vm-200.sandboxes.example.com\r\nX: y", "127.0.0.1", "[::1]:8088", "port-22-vm-200-vm-300.sandboxes.example.com",
        "port-+22-vm-200.sandboxes.example.com", "port-2 2-vm-200.sandboxes.example.com", "port-39378-vm-1e3.sandboxes.example.com",
        "port-39378-vm-200.sandboxes.example.com,port-22-vm-200.sandboxes.example.com"})
    void junkIsRejected(String host) {
        assertThat(ServiceHost.parse(host, DOMAIN)).as(host).isEmpty();
    }

    @Test
    void nullAndOverlongAreRejected() {
        assertThat(ServiceHost.parse(null, DOMAIN)).isEmpty();
        String longHost = "port-39378-vm-200." + "a".repeat(300) + ".sandboxes.example.com";
        assertThat(ServiceHost.parse(longHost, PublicDomain.of("a".repeat(60) + ".example.com", Optional.empty()))).isEmpty();
        String longDigits = "port-" + "1".repeat(1000) + "-vm-200.sandboxes.example.com";
        assertThat(ServiceHost.parse(longDigits, DOMAIN)).isEmpty();
    }

    @Test
    void publicDomainSchemeDefaultsToHttpsExceptUnderLocalhost() {
        assertThat(DOMAIN.scheme()).isEqualTo("https");
        assertThat(LOCAL.scheme()).isEqualTo("http");
        assertThat(PublicDomain.of("localhost:8088", Optional.empty()).scheme()).isEqualTo("http");
        assertThat(PublicDomain.of("notlocalhost.example", Optional.empty()).scheme()).isEqualTo("https");
        assertThat(PublicDomain.of("sandboxes.example.com", Optional.of("http")).scheme()).isEqualTo("http");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Sandboxes.example.com", "sandboxes.example.com.", "http://sandboxes.example.com",
        "sandboxes.example.com:0", "sandboxes.example.com:70000", "*.example.com", "a..b", "-a.example.com"})
    void invalidPublicDomainsAreRejected(String host) {
        assertThatThrownBy(() -> PublicDomain.of(host, Optional.empty())).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void invalidSchemeIsRejected() {
        assertThatThrownBy(() -> PublicDomain.of("a.example", Optional.of("ftp"))).isInstanceOf(InvalidValueException.class);
    }
}
