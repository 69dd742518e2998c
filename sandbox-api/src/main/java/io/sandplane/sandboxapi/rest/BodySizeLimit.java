package io.sandplane.sandboxapi.rest;

import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.config.ApiConfig;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The body limit for bodies sent without a Content-Length (chunked), which {@link HttpLimits} cannot see in
 * advance: the body is counted as it is read and reading stops with a 413 problem at the limit, before the
 * HTTP server's own, higher wall would end the exchange with an empty 413.
 */
@Provider
public class BodySizeLimit implements ReaderInterceptor {

    /** Read when a body is, not at construction: providers are built before the runtime configuration exists. */
    private final Instance<ApiConfig> config;

    public BodySizeLimit(Instance<ApiConfig> config) {
        this.config = config;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        context.setInputStream(new Counted(context.getInputStream(), config.get().limits().maxBodyBytes()));
        return context.proceed();
    }

    private static final class Counted extends FilterInputStream {
        private final long max;
        private long read;

        Counted(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            read += n;
            if (read > max) {
                throw new ProblemException(413, "content-too-large", "Content Too Large", HttpLimits.tooLarge(max));
            }
        }
    }
}
