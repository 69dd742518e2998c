package io.sandplane.urlrouter.proxy;

import io.sandplane.model.service.PublicDomain;
import io.sandplane.model.service.ServiceHost;
import java.util.List;
import java.util.Optional;

/**
 * The first gate of the proxy: which (port, vmid) a request names, if it names exactly one in the
 * one accepted form. Anything ambiguous is refused before any lookup or connection: a request line
 * that is not origin-form ({@code GET http://other/ HTTP/1.1}, {@code CONNECT host:443},
 * {@code OPTIONS *}), zero or several Host headers, and every Host that
 * {@link ServiceHost#parse} does not accept exactly (case, trailing dot, userinfo, IP literals,
 * overlong or non-ASCII names).
 */
public final class RequestScreen {

    private RequestScreen() {
    }

    public static Optional<ServiceHost> target(String requestUri, List<String> hostHeaders, Optional<PublicDomain> domain) {
        if (domain.isEmpty() || hostHeaders.size() != 1) {
            return Optional.empty();
        }
        if (requestUri == null || requestUri.isEmpty() || requestUri.charAt(0) != '/') {
            return Optional.empty();
        }
        return ServiceHost.parse(hostHeaders.getFirst(), domain.get());
    }
}
