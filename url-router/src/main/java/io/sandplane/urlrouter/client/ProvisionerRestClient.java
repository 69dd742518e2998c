package io.sandplane.urlrouter.client;

import io.sandplane.model.api.ProvisionerApi;
import io.sandplane.model.internal.InternalTokenHeaders;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The provisioner's internal API ({@code SANDPLANE_PROVISIONER_URL}); use {@link Provisioner}. */
@RegisterRestClient(configKey = "provisioner")
@RegisterClientHeaders(InternalTokenHeaders.class)
interface ProvisionerRestClient extends ProvisionerApi {
}
