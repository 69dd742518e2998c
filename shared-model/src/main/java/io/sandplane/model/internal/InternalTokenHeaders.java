package io.sandplane.model.internal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/** Adds the internal token to calls between services: {@code @RegisterClientHeaders(InternalTokenHeaders.class)}. */
@ApplicationScoped
public class InternalTokenHeaders implements ClientHeadersFactory {

    private final InternalToken token;

    public InternalTokenHeaders(InternalToken token) {
        this.token = token;
    }

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming,
            MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        headers.putSingle(InternalToken.HEADER, token.value());
        return headers;
    }
}
