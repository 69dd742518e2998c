package io.sandplane.urlrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Netty's HTTP/1.1 encoders and decoder, as the proxy uses them. Instead of HttpServerCodec and
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
