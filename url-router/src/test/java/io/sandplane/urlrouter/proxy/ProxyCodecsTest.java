package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The proxy's header writer against Netty's own encoders: the same bytes for the same message. */
class ProxyCodecsTest {

    private static String encode(ChannelHandler encoder, HttpObject message) {
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        channel.writeOutbound(message);
        StringBuilder out = new StringBuilder();
        ByteBuf piece;
        while ((piece = channel.readOutbound()) != null) {
            out.append(piece.toString(StandardCharsets.ISO_8859_1));
            piece.release();
        }
        channel.finishAndReleaseAll();
        return out.toString();
    }

    private static DefaultFullHttpResponse response() {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers()
                .add(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .add(AsciiString.cached("X-Ascii"), AsciiString.cached("from an AsciiString"))
                .add("x-latin-1", "caf\u00e9")
                .add("x-not-latin-1", "\u20ac sign")
                .add("x-long", "v".repeat(5000))
                .add("x-long", "second value")
                .add(HttpHeaderNames.CONTENT_LENGTH, 5);
        response.content().writeBytes("hello".getBytes(StandardCharsets.US_ASCII));
        return response;
    }

    @Test
    void writesResponseHeadersAsNettyDoes() {
        assertThat(encode(new ProxyCodecs.ResponseEncoder(), response())).isEqualTo(encode(new HttpResponseEncoder(), response()))
                .contains("x-latin-1: caf\u00e9\r\n", "x-not-latin-1: ? sign\r\n", "X-Ascii: from an AsciiString\r\n")
                .endsWith("\r\n\r\nhello");
    }

    @Test
    void writesRequestHeadersAsNettyDoes() {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x?y=1");
        request.headers().add(HttpHeaderNames.HOST, "port-5173-vm-100.sandplane.localhost").add("X-Forwarded-For", "10.0.0.1");
        assertThat(encode(new ProxyCodecs.RequestEncoder(), request.retainedDuplicate()))
                .isEqualTo(encode(new HttpRequestEncoder(), request))
                .startsWith("GET /x?y=1 HTTP/1.1\r\nhost: port-5173-vm-100.sandplane.localhost\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
    }

    @Test
    void aResponseToHeadGoesWithoutItsBody() {
        ProxyCodecs.ResponseEncoder encoder = new ProxyCodecs.ResponseEncoder();
        encoder.answering(true);
        String head = encode(encoder, response());
        assertThat(head).contains("content-length: 5\r\n").endsWith("\r\n\r\n").doesNotContain("hello");
    }
}
