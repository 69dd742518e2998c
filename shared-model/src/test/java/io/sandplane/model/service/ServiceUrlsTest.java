package io.sandplane.model.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceUrlsTest {

    private static final Optional<PublicDomain> PUBLIC = Optional.of(PublicDomain.of("sbx.example.com", Optional.empty()));

    @Test
    void publicDomainWinsWhenConfigured() {
        GuestAddress guest = new GuestAddress(200, "cmux-200", "lan", "10.0.0.5");
        assertThat(ServiceUrls.build(PUBLIC, guest, 39378)).contains("https://port-39378-vm-200.sbx.example.com");
    }

    @Test
    void thenTheFqdnFromHostnameAndSearchDomain() {
        GuestAddress guest = new GuestAddress(200, "cmux-200", "lan.example", "10.0.0.5");
        assertThat(ServiceUrls.build(Optional.empty(), guest, 39378)).contains("http://cmux-200.lan.example:39378");
    }

    @Test
    void thenTheIp() {
        assertThat(ServiceUrls.build(Optional.empty(), new GuestAddress(200, "cmux-200", null, "10.0.0.5"), 5173))
                .contains("http://10.0.0.5:5173");
        assertThat(ServiceUrls.build(Optional.empty(), new GuestAddress(200, null, "lan", "fd00::5"), 5173))
                .contains("http://[fd00::5]:5173");
    }

    @Test
    void nothingKnownGivesNoUrl() {
        assertThat(ServiceUrls.build(Optional.empty(), new GuestAddress(200, "cmux-200", null, null), 5173)).isEmpty();
        assertThat(ServiceUrls.build(Optional.empty(), new GuestAddress(200, null, "lan", ""), 5173)).isEmpty();
    }

    @Test
    void internalUrlsPreferTheIp() {
        assertThat(ServiceUrls.internalUrl(new GuestAddress(200, "cmux-200", "lan", "127.0.0.9"), 39375))
                .contains("http://127.0.0.9:39375");
        assertThat(ServiceUrls.internalUrl(new GuestAddress(200, "cmux-200", "lan", null), 39375))
                .contains("http://cmux-200.lan:39375");
    }

    @Test
    void thePortCatalogMatchesCmux() {
        assertThat(ServicePort.EXEC.port()).isEqualTo(39375);
        assertThat(ServicePort.WORKER.port()).isEqualTo(39377);
        assertThat(ServicePort.VSCODE.port()).isEqualTo(39378);
        assertThat(ServicePort.PROXY.port()).isEqualTo(39379);
        assertThat(ServicePort.VNC.port()).isEqualTo(39380);
        assertThat(ServicePort.CDP.port()).isEqualTo(39381);
        assertThat(ServicePort.XTERM.port()).isEqualTo(39383);
        assertThat(ServicePort.PREVIEW.port()).isEqualTo(5173);
        assertThat(ServicePort.SERVER.port()).isEqualTo(9776);
        assertThat(ServicePort.DEFAULTS).doesNotContain(ServicePort.EXEC)
                .containsExactly(ServicePort.VSCODE, ServicePort.WORKER, ServicePort.VNC, ServicePort.XTERM);
        assertThat(ServicePort.byName("vscode")).contains(ServicePort.VSCODE);
        assertThat(ServicePort.byPort(22)).isEmpty();
    }

    @Test
    void authModesReadTheirLowerCaseNames() {
        assertThat(AuthMode.fromId("token")).isEqualTo(AuthMode.TOKEN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AuthMode.fromId("TOKEN"))
                .isInstanceOf(io.sandplane.model.InvalidValueException.class);
    }
}
