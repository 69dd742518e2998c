package io.sandplane.urlrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.sandplane.urlrouter.proxy.ProxyPages.Page;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestFraming} on parsed heads, and the proxy's decoder ({@link ProxyCodecs.RequestDecoder})
 * on raw bytes: what each reads as one request, and what it refuses. The same corpus goes through a
 * running proxy in {@code ProxyFramingTest}.
 */
class RequestFramingTest {

    private static final String HOST = "Host: port-1-vm-100.sandplane.localhost:8088\r\n";

    @Test
    void aPlainOrChunkedOrLengthDelimitedRequestGoesOn() {
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1))).isNull();
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_0))).isNull();
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Content-Length", "5"))).isNull();
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_0, "Content-Length", "0"))).isNull();
        for (String chunked : List.of("chunked", "Chunked", "CHUNKED", "chunked,", ", chunked", "chunked ,")) {
            assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Transfer-Encoding", chunked))).as(chunked).isNull();
        }
    }

    @Test
    void transferEncodingIsRefusedUnlessChunkedIsItsOnlyAndLastCoding() {
        Map<String, Page> codings = new LinkedHashMap<>();
        codings.put("xchunked", Page.BAD_FRAMING);
        codings.put("chunkedx", Page.BAD_FRAMING);
        codings.put("chunked, identity", Page.BAD_FRAMING);
        codings.put("identity", Page.BAD_FRAMING);
        codings.put("gzip", Page.BAD_FRAMING);
        codings.put("chunked;x=1", Page.BAD_FRAMING);
        codings.put("\"chunked\"", Page.BAD_FRAMING);
        codings.put("", Page.BAD_FRAMING);
        codings.put(",", Page.BAD_FRAMING);
        codings.put("chunked, chunked", Page.BAD_FRAMING);
        codings.put("gzip, chunked", Page.TRANSFER_CODING_NOT_SUPPORTED);
        codings.put("identity, chunked", Page.TRANSFER_CODING_NOT_SUPPORTED);
        codings.forEach((value, page) -> assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Transfer-Encoding", value)))
                .as("Transfer-Encoding: " + value).isEqualTo(page));
        // Several header lines are one list.
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked")))
                .isEqualTo(Page.BAD_FRAMING);
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked")))
                .isEqualTo(Page.TRANSFER_CODING_NOT_SUPPORTED);
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked", "Transfer-Encoding", "gzip")))
                .isEqualTo(Page.BAD_FRAMING);
    }

    @Test
    void transferEncodingWithContentLengthOrOnHttp10IsRefused() {
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Transfer-Encoding", "chunked", "Content-Length", "5")))
                .isEqualTo(Page.BAD_FRAMING);
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_0, "Transfer-Encoding", "chunked"))).isEqualTo(Page.BAD_FRAMING);
    }

    @Test
    void aContentLengthMustBeOnePlainDecimalNumber() {
        for (String length : List.of("", "+5", "-1", "0x5", "5.0", "abc", "5, 5", "1234567890123456789")) {
            assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Content-Length", length))).as(length).isEqualTo(Page.BAD_FRAMING);
        }
        assertThat(RequestFraming.refusal(head(HttpVersion.HTTP_1_1, "Content-Length", "5", "Content-Length", "5")))
                .isEqualTo(Page.BAD_FRAMING);
    }

    @Test
    void onlyHttp10AndHttp11AreSpoken() {
        assertThat(RequestFraming.refusal(head(HttpVersion.valueOf("HTTP/1.2")))).isEqualTo(Page.VERSION_NOT_SUPPORTED);
        assertThat(RequestFraming.refusal(head(HttpVersion.valueOf("HTTP/2.0")))).isEqualTo(Page.VERSION_NOT_SUPPORTED);
    }

    @Test
    void theDecoderRefusesWhatTwoParsersCouldReadDifferently() {
        Map<String, Page> corpus = new LinkedHashMap<>();
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", Page.BAD_FRAMING);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", Page.BAD_FRAMING);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5, 6\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5, 5\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 0x5\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: abc\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length: +5\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Content-Length : 5\r\n\r\nhello", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", Page.BAD_REQUEST);
        corpus.put("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTP/1.1\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTP/1.2\r\n" + HOST + "\r\n", Page.VERSION_NOT_SUPPORTED);
        corpus.put("GET / HTTP/2.0\r\n" + HOST + "\r\n", Page.VERSION_NOT_SUPPORTED);
        corpus.put("GET / HTTP/0.9\r\n" + HOST + "\r\n", Page.VERSION_NOT_SUPPORTED);
        corpus.put("GET / HTTP/3.0\r\n" + HOST + "\r\n", Page.VERSION_NOT_SUPPORTED);
        corpus.put("GET / http/1.1\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / Http/1.1\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTP/1.10\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTP/11\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTPS/1.1\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTP/1.1 x\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET /a b HTTP/1.1\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET /\r\n" + HOST + "\r\n", Page.BAD_REQUEST);
        corpus.put("GET / HTTP/1.1\r\n" + "X: " + "a".repeat(20_000) + "\r\n\r\n", Page.HEADERS_TOO_LARGE);
        corpus.put("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\n" + HOST + "\r\n", Page.URI_TOO_LONG);
        List<String> wrong = new ArrayList<>();
        corpus.forEach((raw, expected) -> {
            HttpRequest head = firstHead(raw);
            Page refusal = head == null ? null : RequestFraming.refusal(head);
            if (refusal != expected) {
                wrong.add(raw.lines().findFirst().orElse("") + " [" + raw.length() + " bytes] -> " + refusal + ", expected " + expected);
            }
        });
        assertThat(wrong).isEmpty();
    }

    @Test
    void theDecoderReadsWellFramedRequestsAsTheyAre() {
        HttpRequest chunked = firstHead("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        assertThat(RequestFraming.refusal(chunked)).isNull();
        HttpRequest http10 = firstHead("GET / HTTP/1.0\r\n" + HOST + "\r\n");
        assertThat(http10.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
        assertThat(RequestFraming.refusal(http10)).isNull();
        HttpRequest lengthWithSpaces = firstHead("POST / HTTP/1.1\r\n" + HOST + "Content-Length:  5 \r\n\r\nhello");
        assertThat(RequestFraming.refusal(lengthWithSpaces)).isNull();
    }

    @Test
    void aBadChunkReachesTheProxyAsAFailedEndOfBody() {
        for (String chunks : List.of("zz\r\nhello\r\n0\r\n\r\n", "-1\r\nx\r\n0\r\n\r\n", "5\r\nhelloXX\r\n0\r\n\r\n",
                "fffffffffffffffffff\r\nx\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n")) {
            EmbeddedChannel channel = decode("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n" + chunks);
            List<Object> messages = drain(channel);
            assertThat(messages.getFirst()).as(chunks).isInstanceOf(HttpRequest.class);
            assertThat(RequestFraming.refusal((HttpRequest) messages.getFirst())).as(chunks).isNull();
            assertThat(messages).as(chunks).anySatisfy(m -> assertThat(m instanceof HttpContent c && c.decoderResult().isFailure()).isTrue());
            messages.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void theDecoderCountsRequestLinesSoTheProxyKnowsAHeadIsUnderWay() {
        ProxyCodecs.RequestDecoder decoder = new ProxyCodecs.RequestDecoder(16 * 1024, 16 * 1024, 64 * 1024);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n" + HOST + "\r\nGET /next HTTP/1.1\r\nX-Slow: 1\r\n",
                StandardCharsets.ISO_8859_1));
        List<Object> messages = drain(channel);
        assertThat(messages.stream().filter(HttpRequest.class::isInstance)).hasSize(1);
        assertThat(decoder.headsStarted()).isEqualTo(2);
        messages.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    private static HttpRequest head(HttpVersion version, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(version, HttpMethod.POST, "/");
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    private static EmbeddedChannel decode(String raw) {
        EmbeddedChannel channel = new EmbeddedChannel(new ProxyCodecs.RequestDecoder(16 * 1024, 16 * 1024, 64 * 1024));
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
        return channel;
    }

    private static List<Object> drain(EmbeddedChannel channel) {
        List<Object> messages = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null) {
            messages.add(message);
        }
        return messages;
    }

    private static HttpRequest firstHead(String raw) {
        EmbeddedChannel channel = decode(raw);
        List<Object> messages = drain(channel);
        HttpRequest head = messages.stream().filter(HttpRequest.class::isInstance).map(HttpRequest.class::cast).findFirst().orElse(null);
        messages.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
        return head;
    }
}
