package io.sandplane.sandboxapi.client;

import io.sandplane.model.api.ServiceRoutesApi;
import io.sandplane.model.internal.InternalTokenHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The url-router's contract as a REST client; used only through {@link UrlRouterClient}. */
@RegisterRestClient(configKey = "url-router")
@RegisterClientHeaders(InternalTokenHeaders.class)
interface ServiceRoutesRestClient extends ServiceRoutesApi {
}
