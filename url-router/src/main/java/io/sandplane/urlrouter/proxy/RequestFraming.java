package io.sandplane.urlrouter.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sandplane.urlrouter.proxy.ProxyPages.Page;
import java.util.List;

/**
 * Whether the proxy may read a request's head as one unambiguous HTTP/1.x message and forward it
 * (RFC 9112 §2.3, §6). A front proxy (Cloudflare, ingress-nginx), the url-router and the service
 * behind it must all see the same requests on a connection, or one of them can be made to read a
 * request hidden in another's body (request smuggling). So what two parsers could read differently is
 * refused, and the connection closed after the answer:
 * <ul>
 * <li>what the decoder refused ({@link ProxyCodecs.RequestDecoder}): 400, 414, 431, or 505 for an
 * HTTP version other than 1.0 and 1.1;</li>
 * <li>Transfer-Encoding on an HTTP/1.0 request, or with Content-Length too: 400;</li>
 * <li>Transfer-Encoding whose last coding is not chunked, or that names chunked twice: 400 (the body's
 * length cannot be known); chunked after other codings (gzip, chunked): 501, as the proxy does not
 * pass codings on;</li>
 * <li>a Content-Length that is not one plain decimal number (the decoder refuses most; this says so
 * again, as it is cheap).</li>
 * </ul>
 * A pure function of the parsed head, so every rule has a unit test.
 */
final class RequestFraming {

    private RequestFraming() {
    }

    /** The page to answer with, or null when the request may go on. */
    static Page refusal(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return refusal(request.decoderResult().cause());
        }
        HttpVersion version = request.protocolVersion();
        boolean http10 = HttpVersion.HTTP_1_0.equals(version);
        if (!http10 && !HttpVersion.HTTP_1_1.equals(version)) {
            return Page.VERSION_NOT_SUPPORTED;
        }
        HttpHeaders headers = request.headers();
        List<String> transferEncodings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> contentLengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!transferEncodings.isEmpty()) {
            if (http10 || !contentLengths.isEmpty()) {
                return Page.BAD_FRAMING;
            }
            return transferCodingsRefusal(transferEncodings);
        }
        if (!contentLengths.isEmpty() && !(contentLengths.size() == 1 && isDecimal(contentLengths.getFirst()))) {
            return Page.BAD_FRAMING;
        }
        return null;
    }

    static Page refusal(Throwable decoderFailure) {
        if (decoderFailure instanceof TooLongHttpLineException) {
            return Page.URI_TOO_LONG;
        }
        if (decoderFailure instanceof TooLongHttpHeaderException || decoderFailure instanceof TooLongFrameException) {
            return Page.HEADERS_TOO_LARGE;
        }
        if (decoderFailure instanceof ProxyCodecs.UnsupportedVersionException) {
            return Page.VERSION_NOT_SUPPORTED;
        }
        if (decoderFailure instanceof ProxyCodecs.AmbiguousLengthException) {
            return Page.BAD_FRAMING;
        }
        return Page.BAD_REQUEST;
    }

    /** Transfer codings are a comma-separated, case-insensitive list over all the header's lines; empty elements do not count. */
    private static Page transferCodingsRefusal(List<String> headerLines) {
        int codings = 0;
        int chunked = 0;
        boolean lastIsChunked = false;
        for (String line : headerLines) {
            for (String element : line.split(",", -1)) {
                String coding = element.strip();
                if (coding.isEmpty()) {
                    continue;
                }
                codings++;
                lastIsChunked = coding.equalsIgnoreCase("chunked");
                if (lastIsChunked) {
                    chunked++;
                }
            }
        }
        if (!lastIsChunked || chunked > 1) {
            return Page.BAD_FRAMING;
        }
        return codings == 1 ? null : Page.TRANSFER_CODING_NOT_SUPPORTED;
    }

    private static boolean isDecimal(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
