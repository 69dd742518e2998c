package io.sandplane.sandboxapi.client;

import io.sandplane.model.api.ProvisionerApi;
import io.sandplane.model.internal.InternalTokenHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The provisioner's contract as a REST client; used only through {@link ProvisionerClient}. */
@RegisterRestClient(configKey = "provisioner")
@RegisterClientHeaders(InternalTokenHeaders.class)
interface ProvisionerRestClient extends ProvisionerApi {
}
