package io.sandplane.urlrouter.proxy;

import io.sandplane.model.service.PublicDomain;
import io.sandplane.urlrouter.config.RouterConfig;
import io.sandplane.urlrouter.service.ActivityRecorder;
import io.sandplane.urlrouter.service.AddressRefusals;
import io.sandplane.urlrouter.service.RouteResolver;
import io.sandplane.urlrouter.service.WakeCoordinator;
import java.util.Optional;

/**
 * What every proxy connection shares: configuration, routing, the decision rules, activity, refused
 * addresses, meters, connections per client, and the services' connections.
 */
final class ProxyRuntime {

    final Optional<PublicDomain> domain;
    final boolean https;
    final String scheme;
    final RouterConfig config;
    final Cors cors;
    final RouteResolver resolver;
    final WakeCoordinator wakes;
    final ActivityRecorder activity;
    final AddressRefusals refusals;
    final ProxyMetrics metrics;
    final Upstreams upstreams;
    /** A client connection with no traffic for this long is closed. */
    final long clientIdleMillis;
    /** A client has this long to send a request's head once the proxy is ready for one. */
    final long headTimeoutMillis;
    final ClientConnections clients;
    final ProxyDecision decision;

    ProxyRuntime(Optional<PublicDomain> domain, RouterConfig config, RouteResolver resolver, WakeCoordinator wakes,
            ActivityRecorder activity, AddressRefusals refusals, ProxyMetrics metrics, Upstreams upstreams, long clientIdleMillis) {
        this.domain = domain;
        this.https = domain.map(PublicDomain::isHttps).orElse(false);
        this.scheme = domain.map(PublicDomain::scheme).orElse("http");
        this.config = config;
        this.cors = new Cors(config.cors());
        this.resolver = resolver;
        this.wakes = wakes;
        this.activity = activity;
        this.refusals = refusals;
        this.metrics = metrics;
        this.upstreams = upstreams;
        this.clientIdleMillis = clientIdleMillis;
        this.headTimeoutMillis = Math.max(1, config.headTimeout().toMillis());
        this.clients = new ClientConnections(config.maxConnectionsPerClient());
        this.decision = new ProxyDecision(cors, scheme);
    }
}
