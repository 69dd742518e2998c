package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sandplane.model.service.PublicDomain;
import io.sandplane.model.service.ServiceHost;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestScreenTest {

    private static final Optional<PublicDomain> DOMAIN = Optional.of(PublicDomain.of("sandplane.localhost:8088", Optional.empty()));

    @Test
    void acceptsOneExactHostWithAnOriginFormTarget() {
        assertThat(RequestScreen.target("/x?y", List.of("port-5173-vm-100.sandplane.localhost:8088"), DOMAIN))
                .contains(new ServiceHost(5173, 100));
    }

    @Test
    void refusesEverythingElse() {
        String host = "port-5173-vm-100.sandplane.localhost:8088";
        assertThat(RequestScreen.target("http://x/", List.of(host), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("*", List.of(host), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("x:443", List.of(host), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("", List.of(host), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("/", List.of(), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("/", List.of(host, host), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("/", List.of("port-5173-vm-100.sandplane.localhost"), DOMAIN)).isEmpty();
        assertThat(RequestScreen.target("/", List.of(host), Optional.empty())).isEmpty();
    }
}
