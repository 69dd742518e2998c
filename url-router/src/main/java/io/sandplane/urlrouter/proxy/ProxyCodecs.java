package io.sandplane.urlrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Netty's HTTP/1.1 encoders and decoders, as the proxy uses them. Instead of HttpServerCodec and
 * HttpClientCodec, which pair them through a queue of request methods, the proxy tells each side the
 * method of the one exchange in progress (it never has two on a connection): a response to HEAD has
 * no body whatever its headers announce. And the header block is written into a heap array and
 * copied to the buffer once, rather than byte by byte into the direct buffer with a reference-count
 * and bounds check per byte (in a profile, encoding headers that way was a sixth of the proxy's
 * user time).
 */
final class ProxyCodecs {

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[2048];
        }
    };

    private ProxyCodecs() {
    }

    /**
     * The client's side: requests coming in, read as strictly as RFC 9112 asks of a server, because
     * whatever this decoder reads as one request must be one request to every service behind the
     * proxy too. On top of Netty's own checks (bare LF, whitespace before a colon, a Content-Length
     * that is not one plain number, a bad chunk size: all refused there), the version must be spelled
     * exactly {@code HTTP/1.1} or {@code HTTP/1.0}, and a request with both Transfer-Encoding: chunked
     * and Content-Length is refused rather than read as chunked with the length dropped. A refused
     * request reaches the proxy as a message whose decoder result is a failure; the decoder then
     * discards everything after it, and {@link RequestFraming} says how to answer.
     */
    static final class RequestDecoder extends HttpRequestDecoder {

        private static final Pattern HTTP_VERSION = Pattern.compile("HTTP/[0-9]\\.[0-9]");

        RequestDecoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
            super(new HttpDecoderConfig()
                    .setMaxInitialLineLength(maxInitialLineLength)
                    .setMaxHeaderSize(maxHeaderSize)
                    .setMaxChunkSize(maxChunkSize)
                    .setStrictLineParsing(true)
                    .setAllowDuplicateContentLengths(false));
        }

        private long headsStarted;

        @Override
        protected HttpMessage createMessage(String[] initialLine) throws Exception {
            // Netty upper-cases the version and accepts any HTTP/d.d; the name is case-sensitive (RFC 9112 §2.3).
            String version = initialLine[2];
            if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
                throw HTTP_VERSION.matcher(version).matches() ? new UnsupportedVersionException(version)
                        : new IllegalArgumentException("not an HTTP/1.x request line");
            }
            HttpMessage message = super.createMessage(initialLine);
            headsStarted++;
            return message;
        }

        /**
         * How many request lines this connection has sent so far: more than the heads the proxy received
         * means that a head is under way (its request line came, its headers did not all come yet).
         */
        long headsStarted() {
            return headsStarted;
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            // Netty would drop the Content-Length and read chunks; a server behind another proxy may not (RFC 9112 §6.3).
            throw new AmbiguousLengthException();
        }
    }

    /** An {@code HTTP/x.y} request line for a version the proxy does not speak: 505, not 400. */
    static final class UnsupportedVersionException extends IllegalArgumentException {
        UnsupportedVersionException(String version) {
            super("HTTP version " + version + " is not supported");
        }
    }

    /** Both Transfer-Encoding and Content-Length. */
    static final class AmbiguousLengthException extends IllegalArgumentException {
        AmbiguousLengthException() {
            super("both Transfer-Encoding and Content-Length");
        }
    }

    /** The client's side: responses (the service's, or the proxy's own pages) going out. */
    static final class ResponseEncoder extends HttpResponseEncoder {

        private boolean answeringHead;

        /** The exchange now in progress is a HEAD request: its response goes without a body. */
        void answering(boolean head) {
            answeringHead = head;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            return answeringHead || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            writeHeaders(headers, buf);
        }
    }

    /** The service's side: requests going out. */
    static final class RequestEncoder extends HttpRequestEncoder {

        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            writeHeaders(headers, buf);
        }
    }

    /** The service's side: responses coming in. */
    static final class ResponseDecoder extends HttpResponseDecoder {

        private boolean answeringHead;

        ResponseDecoder(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
            super(maxInitialLineLength, maxHeaderSize, maxChunkSize);
        }

        /** The request sent is a HEAD request: its final response has no body whatever its headers say. */
        void answering(boolean head) {
            answeringHead = head;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            // 1xx first: an interim response is no answer to the HEAD, and 101 has its own rules.
            if (msg instanceof HttpResponse response && response.status().code() < 200) {
                return super.isContentAlwaysEmpty(msg);
            }
            return answeringHead || super.isContentAlwaysEmpty(msg);
        }
    }

    /**
     * "Name: value\r\n" for every header, as Netty's encoder writes them (characters above 0xFF become
     * '?'; the decoders and our own values never have any).
     */
    static void writeHeaders(HttpHeaders headers, ByteBuf buf) {
        byte[] out = SCRATCH.get();
        int at = 0;
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
        while (entries.hasNext()) {
            Map.Entry<CharSequence, CharSequence> header = entries.next();
            CharSequence name = header.getKey();
            CharSequence value = header.getValue();
            int needed = at + name.length() + value.length() + 4;
            if (needed > out.length) {
                out = Arrays.copyOf(out, Math.max(needed, out.length * 2));
                SCRATCH.set(out);
            }
            at = ascii(name, out, at);
            out[at++] = ':';
            out[at++] = ' ';
            at = ascii(value, out, at);
            out[at++] = '\r';
            out[at++] = '\n';
        }
        buf.writeBytes(out, 0, at);
    }

    private static int ascii(CharSequence text, byte[] out, int at) {
        if (text instanceof AsciiString ascii) {
            System.arraycopy(ascii.array(), ascii.arrayOffset(), out, at, ascii.length());
            return at + ascii.length();
        }
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            out[at++] = c < 256 ? (byte) c : (byte) '?';
        }
        return at;
    }
}
