package io.sandplane.urlrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.sandplane.model.service.ServiceHost;
import io.sandplane.urlrouter.proxy.ProxyMetrics.Outcome;
import io.sandplane.urlrouter.proxy.ProxyPages.Page;
import io.sandplane.urlrouter.proxy.Upstreams.Connection;
import io.sandplane.urlrouter.network.SandboxNetwork;
import io.sandplane.urlrouter.service.Route;
import io.sandplane.urlrouter.service.ServiceAddress;
import io.sandplane.urlrouter.service.WakeCoordinator;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One client connection to the proxy, and the exchange in progress on it, start to end on one event
 * loop: check the request's framing ({@link RequestFraming}) and its Host ({@link RequestScreen}),
 * resolve the route (cache, else database), carry out what {@link ProxyDecision} says (answer, trade a
 * query token for a cookie, wake the sandbox, or relay the request to the service with the token
 * removed and the X-Forwarded headers set, and the answer back); a WebSocket upgrade the service
 * accepts turns both connections into a byte tunnel. The decisions are pure functions; this class
 * does the I/O.
 *
 * <p>Requests are handled one at a time. While the proxy waits (a route lookup, a wake, a connect)
 * or an exchange is still in progress, what the client sends is held in {@link #backlog} and reading
 * stops; it is handled in order afterwards. Nothing here blocks: database and provisioner calls run
 * elsewhere and come back to this event loop.
 *
 * <p>Built on Netty's HTTP codec rather than vertx-http-proxy: the same proxy on Vert.x's HTTP
 * server, client and proxy layers cost about twice the CPU per request (see docs/url-router.md).
 */
final class ProxyConnection extends ChannelInboundHandlerAdapter implements Upstreams.Owner {

    private static final Logger LOG = Logger.getLogger(ProxyConnection.class);
    // Header names as AsciiString: their hash is computed once, not on every lookup.
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString FORWARDED = AsciiString.cached("Forwarded");
    private static final AsciiString X_REAL_IP = AsciiString.cached("X-Real-IP");
    private static final AsciiString TOKEN_HEADER = AsciiString.cached(TokenAuth.HEADER);
    /** Hop-by-hop headers (RFC 9110 §7.6.1) besides those a Connection header names; framing headers stay for the codec. */
    private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.UPGRADE);

    private enum Mode { HTTP, UPGRADING, TUNNEL }

    private final ProxyRuntime proxy;
    private final ProxyCodecs.RequestDecoder decoder;
    private final ProxyCodecs.ResponseEncoder encoder;
    private Channel channel;
    private String clientAddress;
    private IdleTimer idle;
    /** Reports a client that takes longer than the head timeout to send a request's head. */
    private IdleTimer headTimer;
    /** Request heads received on this connection (compared with the request lines the decoder has seen). */
    private long headsReceived;
    /** This connection counts against its address's limit (and must be released when it closes). */
    private boolean counted;
    /** The address had its limit of connections open already: requests on this one get a 429. */
    private boolean overLimit;

    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    /** Waiting for something asynchronous (a lookup, a wake, a connect); what arrives goes to the backlog. */
    private boolean waiting;
    /**
     * The connection closes once the answer in flight is written: nothing the client sent after the
     * request being answered is read or acted on (a request smuggled behind a refused one must not
     * reach a service while the answer is still on its way out).
     */
    private boolean closing;

    // The exchange in progress; request is null between exchanges.
    private HttpRequest request;
    private Mode mode = Mode.HTTP;
    private boolean keepAlive;
    private boolean hasBody;
    private boolean requestEnded;
    /** The proxy answered the request itself; the rest of its body is dropped. */
    private boolean answered;
    private boolean responseEnded;
    private Connection upstream;
    private ServiceAddress serviceAddress;
    private int servicePort;
    private boolean upstreamReused;
    private boolean retried;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean closeAfterResponse;
    private long sentAt;
    private String sandboxId;
    private boolean tunnelOpen;

    ProxyConnection(ProxyRuntime proxy, ProxyCodecs.RequestDecoder decoder, ProxyCodecs.ResponseEncoder encoder) {
        this.proxy = proxy;
        this.decoder = decoder;
        this.encoder = encoder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        idle = new IdleTimer(channel, proxy.clientIdleMillis, channel::close);
        headTimer = new IdleTimer(channel, proxy.headTimeoutMillis, () -> !awaitingHead(), this::headTimedOut);
        clientAddress = channel.remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
                ? remote.getAddress().getHostAddress() : "unknown";
        counted = proxy.clients.admit(clientAddress);
        overLimit = !counted;
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (waiting || !backlog.isEmpty() || (msg instanceof HttpRequest && request != null)) {
            // Held until the proxy may go on; a pipelined request waits for the exchange before it.
            backlog.add(msg);
            updateReading();
        } else {
            handle(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        idle.touch();
        if (upstream != null) {
            upstream.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null) {
            upstream.channel.config().setAutoRead(channel.isWritable());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debugf("proxy connection from %s: %s", clientAddress, cause.toString());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idle.stop();
        headTimer.stop();
        if (counted) {
            counted = false;
            proxy.clients.release(clientAddress);
        }
        dropBacklog();
        if (upstream != null) {
            Connection gone = upstream;
            upstream = null;
            gone.owner = null;
            gone.channel.close();
        }
        closeTunnel();
    }

    // Reading: what the client sends, in order.

    private void handle(Object msg) {
        if (mode == Mode.TUNNEL) {
            if (msg instanceof ByteBuf && upstream != null) {
                upstream.write(msg);
                stopReadingIfFull(upstream.channel, channel);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpRequest next) {
            start(next);
            return;
        }
        if (msg instanceof HttpContent broken && broken.decoderResult().isFailure()) {
            broken.release();
            refuseBody();
            return;
        }
        if (!(msg instanceof HttpContent content) || request == null || answered || upstream == null) {
            // The rest of a body nobody will read, or bytes after a request that broke the codec.
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last && request != null) {
                requestEnded = true;
                finishIfDone();
            }
            return;
        }
        boolean last = content instanceof LastHttpContent;
        upstream.write(content);
        stopReadingIfFull(upstream.channel, channel);
        if (last) {
            requestEnded = true;
            if (mode == Mode.UPGRADING) {
                // Nothing more is read until the service accepts or refuses the upgrade.
                updateReading();
            }
            finishIfDone();
        }
    }

    /** Back-pressure: while {@code target} cannot take more, nothing is read from {@code source}. */
    private static void stopReadingIfFull(Channel target, Channel source) {
        if (!target.isWritable()) {
            source.config().setAutoRead(false);
        }
    }

    /**
     * Reads from the client only when the proxy can act on what comes: not while it waits, not while
     * something is held, not between an upgrade and the service's answer, not while the service's
     * connection is full.
     */
    private void updateReading() {
        boolean read = !waiting && backlog.isEmpty() && !(mode == Mode.UPGRADING && requestEnded)
                && (upstream == null || upstream.channel.isWritable());
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }

    private void await() {
        waiting = true;
        updateReading();
    }

    /** Back on the event loop after something asynchronous: the next step, then whatever was held. */
    private void resumeWith(Runnable step) {
        if (!channel.isActive()) {
            return;
        }
        waiting = false;
        step.run();
        if (!waiting) {
            proceed();
        }
    }

    /** Handles what was held, in order, until the proxy has to wait again; then reads on if it may. */
    private void proceed() {
        Object next;
        while (!waiting && !closing && channel.isActive() && (next = backlog.peek()) != null) {
            if (next instanceof HttpRequest && request != null) {
                break;
            }
            handle(backlog.poll());
        }
        if (upstream != null) {
            upstream.flush();
        }
        if (channel.isActive()) {
            updateReading();
        }
    }

    // One exchange.

    private void start(HttpRequest next) {
        request = next;
        headsReceived++;
        headTimer.touch();
        encoder.answering(next.method() == HttpMethod.HEAD);
        mode = Mode.HTTP;
        requestEnded = false;
        answered = false;
        responseEnded = false;
        upstream = null;
        retried = false;
        responseStarted = false;
        informational = false;
        closeAfterResponse = false;
        sandboxId = null;
        Page refused = RequestFraming.refusal(next);
        if (refused != null) {
            // Whatever follows on this connection cannot be trusted to start where the decoder thinks it does.
            keepAlive = false;
            hasBody = false;
            answer(refused, Outcome.BAD_REQUEST, null);
            return;
        }
        keepAlive = HttpUtil.isKeepAlive(next);
        hasBody = HttpUtil.isTransferEncodingChunked(next) || HttpUtil.getContentLength(next, 0L) > 0;
        if (overLimit) {
            keepAlive = false;
            answer(Page.TOO_MANY_CONNECTIONS, Outcome.TOO_MANY_CONNECTIONS, 1);
            return;
        }
        Optional<ServiceHost> target = RequestScreen.target(next.uri(), next.headers().getAll(HttpHeaderNames.HOST), proxy.domain);
        if (target.isEmpty()) {
            answer(Page.NOT_FOUND, Outcome.NOT_FOUND, null);
            return;
        }
        resolve(target.get(), false);
    }

    private void resolve(ServiceHost target, boolean woken) {
        CompletableFuture<Optional<Route>> lookup = proxy.resolver.resolve(target.vmid());
        if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
            route(target, lookup.join(), woken);
            return;
        }
        await();
        lookup.whenComplete((route, error) -> channel.eventLoop().execute(() -> resumeWith(() -> {
            if (error != null) {
                LOG.warnf("route lookup for VMID %d failed: %s", target.vmid(), error.getMessage());
                answer(Page.ROUTING_UNAVAILABLE, Outcome.ROUTING_UNAVAILABLE, 5);
            } else {
                route(target, route, woken);
            }
        })));
    }

    private void route(ServiceHost target, Optional<Route> found, boolean woken) {
        switch (proxy.decision.decide(found, target.port(), request, woken)) {
            case ProxyDecision.Answer answer -> answer(answer.page(), answer.outcome(), answer.retryAfterSeconds());
            case ProxyDecision.Preflight preflight -> {
                proxy.metrics.request(Outcome.PREFLIGHT);
                respond(proxy.cors.preflight(request));
            }
            case ProxyDecision.ExchangeToken exchange -> exchangeForCookie(exchange);
            case ProxyDecision.Wake wake -> wake(target, found.orElseThrow());
            case ProxyDecision.RefuseAddress refuse -> {
                sandboxId = found.orElseThrow().sandboxId();
                refuseAddress(refuse.address().host(), refuse.address().verdict());
            }
            case ProxyDecision.Forward forward -> forward(target, found.orElseThrow(), forward.upstreamUri(), forward.upgrade());
        }
    }

    /** A valid one-time query token: set the cookie and send the browser to the same URL without it. */
    private void exchangeForCookie(ProxyDecision.ExchangeToken exchange) {
        FullHttpResponse redirect = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, exchange.status());
        redirect.headers()
                .set(HttpHeaderNames.LOCATION, exchange.location())
                .set(HttpHeaderNames.SET_COOKIE, TokenAuth.setCookie(exchange.token(), proxy.https, proxy.config.cookie().maxAge()))
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set("Referrer-Policy", "no-referrer");
        proxy.metrics.request(Outcome.REDIRECTED);
        respond(redirect);
    }

    private void wake(ServiceHost target, Route route) {
        proxy.metrics.wake();
        await();
        // copy(): each request's own deadline; the shared wake goes on for the requests that arrive later.
        proxy.wakes.wake(route.sandboxId()).copy()
                .orTimeout(proxy.config.wake().timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .whenComplete((ignored, error) -> channel.eventLoop().execute(() -> resumeWith(() -> {
                    if (error == null) {
                        proxy.resolver.invalidate(target.vmid());
                        resolve(target, true);
                        return;
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    boolean retryable = !(cause instanceof WakeCoordinator.WakeFailed failed) || failed.retryable();
                    LOG.infof("could not wake sandbox %s: %s", route.sandboxId(), cause.getMessage());
                    answer(retryable ? Page.WAKE_TIMEOUT : Page.WAKE_FAILED, Outcome.WAKE_FAILED, retryable ? 5 : null);
                })));
    }

    private void forward(ServiceHost target, Route route, String upstreamUri, boolean upgrade) {
        HttpHeaders headers = request.headers();
        removeToken(headers);
        setForwardedHeaders(headers);
        sandboxId = route.sandboxId();
        serviceAddress = route.serviceAddress();
        servicePort = target.port();
        proxy.activity.touch(sandboxId);
        request.setUri(upstreamUri);
        if (upgrade) {
            mode = Mode.UPGRADING;
            // The upgrade's own Connection and Upgrade go on; the service answers the handshake itself.
            for (AsciiString name : HOP_BY_HOP) {
                if (name != HttpHeaderNames.UPGRADE) {
                    headers.remove(name);
                }
            }
        } else {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_1) && HttpUtil.is100ContinueExpected(request)) {
                // The request goes through: tell the client to send its body now. The service is not asked
                // again (its own 100 would arrive after the body has started flowing anyway).
                headers.remove(HttpHeaderNames.EXPECT);
                channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            removeHopByHop(headers);
            if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                // RequestFraming let only "chunked" through, however spelled; the service reads the proxy's chunks by their plain name.
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            // Keep-alive to the service whatever the client speaks.
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
            Connection kept = proxy.upstreams.reuse(new Upstreams.Key(serviceAddress.host(), servicePort));
            if (kept != null) {
                send(kept, true);
                return;
            }
        }
        connect();
    }

    private void connect() {
        await();
        proxy.upstreams.connect(channel.eventLoop(), serviceAddress, servicePort).addListener((ChannelFuture done) -> {
            if (!channel.isActive()) {
                done.channel().close();
                return;
            }
            resumeWith(() -> {
                if (done.isSuccess()) {
                    send(Connection.of(done.channel()), false);
                    return;
                }
                if (done.cause() instanceof AddressRefused refused) {
                    refuseAddress(refused.reported(), refused.verdict());
                    return;
                }
                boolean timedOut = done.cause() instanceof ConnectTimeoutException;
                answer(timedOut ? Page.GATEWAY_TIMEOUT : Page.BAD_GATEWAY, timedOut ? Outcome.GATEWAY_TIMEOUT : Outcome.BAD_GATEWAY, null);
            });
        });
    }

    /** The request's head goes to the service; its body follows as it is read (or from the backlog). */
    private void send(Connection connection, boolean reused) {
        upstream = connection;
        upstreamReused = reused;
        connection.owner = this;
        sentAt = System.nanoTime();
        connection.send(request);
        if (requestEnded) {
            // Sent again after a retry: the (empty) end was already read and went to the connection that failed.
            connection.write(LastHttpContent.EMPTY_LAST_CONTENT);
            connection.flush();
        }
    }

    // The service's side.

    @Override
    public void fromUpstream(Connection from, Object msg) {
        if (from != upstream) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (mode == Mode.TUNNEL) {
            if (msg instanceof ByteBuf) {
                channel.write(msg, channel.voidPromise());
                stopReadingIfFull(channel, from.channel);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                from.channel.close();
                return;
            }
            int status = response.status().code();
            if (mode == Mode.UPGRADING && status == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                openTunnel(response);
                return;
            }
            if (status < 200) {
                // 1xx (103 Early Hints, a stray 100): informational, dropped; the final answer follows.
                informational = true;
                return;
            }
            responseStarted = true;
            proxy.metrics.forwarded(System.nanoTime() - sentAt);
            upstreamKeepAlive = mode == Mode.HTTP && HttpUtil.isKeepAlive(response);
            HttpHeaders headers = response.headers();
            removeHopByHop(headers);
            if (!headers.contains(HttpHeaderNames.DATE)) {
                headers.set(HttpHeaderNames.DATE, HttpDates.now());
            }
            if (proxy.cors.enabled()) {
                proxy.cors.decorate(request.headers(), headers);
            }
            closeAfterResponse = !keepAlive || mode != Mode.HTTP;
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0) && HttpUtil.isTransferEncodingChunked(response)) {
                // An HTTP/1.0 client cannot read chunks: the body goes as it is and its end is the connection's.
                HttpUtil.setTransferEncodingChunked(response, false);
                closeAfterResponse = true;
            }
            if (closeAfterResponse) {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            channel.write(response, channel.voidPromise());
            return;
        }
        if (!(msg instanceof HttpContent content)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (informational || !responseStarted) {
            if (content instanceof LastHttpContent) {
                informational = false;
            }
            content.release();
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            channel.write(content, channel.voidPromise());
            stopReadingIfFull(channel, from.channel);
            return;
        }
        // The answer is complete: the service's connection is free again if both directions ended cleanly.
        upstream = null;
        from.owner = null;
        from.channel.config().setAutoRead(true);
        if (upstreamKeepAlive && requestEnded) {
            proxy.upstreams.keep(from);
        } else {
            from.channel.close();
        }
        responseEnded = true;
        if (closeAfterResponse || !requestEnded) {
            // A body the service did not wait for is still coming: the connection cannot carry another request.
            closeAfter(channel.writeAndFlush(content));
            return;
        }
        channel.writeAndFlush(content, channel.voidPromise());
        finishIfDone();
    }

    @Override
    public void upstreamReadComplete(Connection from) {
        idle.touch();
        channel.flush();
    }

    @Override
    public void upstreamWritabilityChanged(Connection from) {
        updateReading();
    }

    @Override
    public void upstreamIdle(Connection from) {
        from.owner = null;
        upstream = null;
        from.channel.close();
        if (responseStarted || mode == Mode.TUNNEL) {
            channel.close();
            return;
        }
        answer(Page.GATEWAY_TIMEOUT, Outcome.GATEWAY_TIMEOUT, null);
    }

    @Override
    public void upstreamClosed(Connection from) {
        if (from != upstream) {
            return;
        }
        upstream = null;
        if (mode == Mode.TUNNEL || responseStarted) {
            // Mid-answer or mid-tunnel: the client sees the connection end, as it would without the proxy.
            channel.close();
            return;
        }
        if (upstreamReused && !retried && !hasBody && mode == Mode.HTTP) {
            // A kept-alive connection the service closed while it was idle: a request without a body is
            // sent again, once, on a new connection (what nginx does for its idempotent retries too).
            retried = true;
            connect();
            return;
        }
        answer(Page.BAD_GATEWAY, Outcome.BAD_GATEWAY, null);
    }

    // WebSocket tunnel.

    private void openTunnel(HttpResponse switching) {
        Connection service = upstream;
        responseStarted = true;
        mode = Mode.TUNNEL;
        // The 101 goes out through the HTTP encoder; after it, both connections carry bytes only. The
        // service's codec goes last: removing it passes on what it read beyond the 101 (noVNC's greeting).
        channel.write(switching);
        channel.pipeline().remove(ProxyCodecs.ResponseEncoder.class);
        channel.pipeline().remove(decoder);
        service.channel.pipeline().remove(Upstreams.ENCODER);
        service.channel.pipeline().remove(Upstreams.DECODER);
        channel.flush();
        tunnelOpen = true;
        proxy.metrics.request(Outcome.WEBSOCKET);
        proxy.metrics.webSocketOpened();
        proxy.activity.webSocketOpened(sandboxId);
        proceed();
    }

    private void closeTunnel() {
        if (tunnelOpen) {
            tunnelOpen = false;
            proxy.metrics.webSocketClosed();
            proxy.activity.webSocketClosed(sandboxId);
        }
    }

    // The proxy's own answers.

    /**
     * The sandbox's address ({@code address}: recorded, or a name and what it resolved to) may not be reached:
     * the page of a service that does not answer, counted apart and reported on the sandbox.
     */
    private void refuseAddress(String address, SandboxNetwork.Verdict verdict) {
        proxy.refusals.refused(sandboxId, address, verdict);
        answer(ProxyDecision.ADDRESS_REFUSED.page(), ProxyDecision.ADDRESS_REFUSED.outcome(), null);
    }

    private void answer(Page page, Outcome outcome, Integer retryAfterSeconds) {
        proxy.metrics.request(outcome);
        respond(ProxyPages.render(request.headers().get(HttpHeaderNames.ACCEPT), page, retryAfterSeconds));
    }

    /**
     * Sends the proxy's own answer to the current request. A body that was announced and not read yet is
     * not read at all: the connection closes after the answer instead.
     */
    private void respond(FullHttpResponse response) {
        answered = true;
        responseEnded = true;
        if (upstream != null) {
            Connection abandoned = upstream;
            upstream = null;
            abandoned.owner = null;
            abandoned.channel.close();
        }
        boolean close = !keepAlive || (hasBody && !requestEnded) || mode != Mode.HTTP;
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        int status = response.status().code();
        if (status != HttpResponseStatus.NO_CONTENT.code() && status != HttpResponseStatus.NOT_MODIFIED.code()) {
            // A 204 (the preflight's answer) carries no Content-Length at all (RFC 9110 §8.6).
            HttpUtil.setContentLength(response, response.content().readableBytes());
        }
        ChannelFuture written = channel.writeAndFlush(response);
        if (close) {
            closeAfter(written);
            return;
        }
        finishIfDone();
    }

    /**
     * A body the decoder could not read (a bad chunk size, a bad chunk end): what follows on the
     * connection cannot be framed. A 400 if the client has no answer yet, else the connection just ends;
     * either way the service's connection is dropped, so it never takes a cut-off body for a whole one.
     */
    private void refuseBody() {
        if (request == null) {
            channel.close();
            return;
        }
        keepAlive = false;
        if (answered || responseStarted) {
            channel.close();
            return;
        }
        answer(Page.BAD_FRAMING, Outcome.BAD_REQUEST, null);
    }

    /** Ready for a request's head and not busy with anything: what the head timer watches. */
    private boolean awaitingHead() {
        return request == null && mode == Mode.HTTP && !waiting && backlog.isEmpty();
    }

    /**
     * The client did not send a complete head within the head timeout. If it began one (a request line
     * came), it gets a 408; a connection that sent nothing since its last answer just closes (a browser's
     * spare connection, or a kept-alive one nobody uses).
     */
    private void headTimedOut() {
        if (!channel.isActive() || !awaitingHead()) {
            return;
        }
        if (decoder.headsStarted() <= headsReceived) {
            channel.close();
            return;
        }
        proxy.metrics.request(Outcome.REQUEST_TIMEOUT);
        encoder.answering(false);
        FullHttpResponse timeout = ProxyPages.render(null, Page.REQUEST_TIMEOUT, null);
        timeout.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        closeAfter(channel.writeAndFlush(timeout));
    }

    /**
     * Closes the connection once {@code written} is out; until then what the client sends is read and
     * dropped (read rather than left unread, so that the close does not turn into a reset that could
     * destroy the answer before the client reads it).
     */
    private void closeAfter(ChannelFuture written) {
        closing = true;
        dropBacklog();
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
        written.addListener(ChannelFutureListener.CLOSE);
    }

    private void dropBacklog() {
        Object held;
        while ((held = backlog.poll()) != null) {
            ReferenceCountUtil.release(held);
        }
    }

    /** Both directions of the exchange ended: the connection is ready for the next request. */
    private void finishIfDone() {
        if (!requestEnded || !responseEnded || request == null) {
            return;
        }
        request = null;
        if (!waiting) {
            proceed();
        }
    }

    // Headers.

    private static void removeHopByHop(HttpHeaders headers) {
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            for (String named : connection.split(",")) {
                String name = named.trim();
                if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
                    headers.remove(name);
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    private static void removeToken(HttpHeaders headers) {
        headers.remove(TOKEN_HEADER);
        List<String> cookies = headers.getAll(HttpHeaderNames.COOKIE);
        if (!cookies.isEmpty() && cookies.stream().anyMatch(c -> c.contains(TokenAuth.COOKIE))) {
            Optional<String> rest = TokenAuth.cookieHeaderWithoutToken(cookies);
            headers.remove(HttpHeaderNames.COOKIE);
            rest.ifPresent(c -> headers.set(HttpHeaderNames.COOKIE, c));
        }
    }

    private void setForwardedHeaders(HttpHeaders headers) {
        boolean trust = proxy.config.trustForwardedHeaders();
        String chain = headers.get(X_FORWARDED_FOR);
        headers.set(X_FORWARDED_FOR, trust && chain != null && !chain.isBlank() ? chain + ", " + clientAddress : clientAddress);
        if (!trust || !headers.contains(X_FORWARDED_PROTO)) {
            headers.set(X_FORWARDED_PROTO, proxy.scheme);
        }
        if (!trust || !headers.contains(X_FORWARDED_HOST)) {
            headers.set(X_FORWARDED_HOST, headers.get(HttpHeaderNames.HOST));
        }
        if (!trust || !headers.contains(X_REAL_IP)) {
            headers.set(X_REAL_IP, clientAddress);
        }
        if (!trust) {
            headers.remove(FORWARDED);
        }
    }
}
