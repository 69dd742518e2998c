package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.devsupport.guard.GuardScenarios;
import io.sandplane.devsupport.topology.Topology.Service;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Json;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import io.sandplane.model.api.ProvisionerApi;
import io.sandplane.model.api.ReaperApi;
import io.sandplane.model.api.ServiceRoutesApi;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * The packaged services as deployed: every internal endpoint of the provisioner, url-router and
 * reaper, and every team-key and operator endpoint of sandbox-api, spelled every way a decoder
 * might take for its path, without the credential it needs: all refused, and nothing happened to
 * the running sandbox, its services, the team or its keys ({@link GuardScenarios}).
 */
class GuardsIT {

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();

    @Test
    void noSpellingOfAPathGetsPastTheCredentialItsEndpointNeeds() {
        Team team = topology.team().create();
        Answer started = api.post("/api/sandboxes", team.key(), Json.object().put("wait", true));
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        JsonNode sandbox = started.json();
        String id = sandbox.path("id").asText();
        String token = topology.topology().internalToken();
        try {
            System.out.println(GuardScenarios.provisioner(url(Service.PROVISIONER), token, ProvisionerApi.class, id,
                    sandbox.path("node").asText(), sandbox.path("vmid").asInt()));
            System.out.println(GuardScenarios.urlRouter(url(Service.URL_ROUTER), token, ServiceRoutesApi.class, id, "vscode"));
            // This topology's reaper passes every second by itself: only the answers can be checked.
            System.out.println(GuardScenarios.reaper(url(Service.REAPER), token, ReaperApi.class, false));
            System.out.println(GuardScenarios.sandboxApi(URI.create(api.baseUrl()), topology.topology().operatorToken(),
                    team.slug(), team.key(), team.keyId(), id));
        } finally {
            api.delete("/api/sandboxes/" + id, team.key());
        }
    }

    private URI url(Service service) {
        return URI.create(topology.process(service, 0).url());
    }
}
