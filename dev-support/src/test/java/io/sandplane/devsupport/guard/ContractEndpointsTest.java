package io.sandplane.devsupport.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContractEndpointsTest {

    @Path("/internal/")
    interface Contract {
        @POST
        @Path("/sandboxes/{id}/exec")
        String exec(@PathParam("id") String id, String body);

        @DELETE
        @Path("guests/{node}/{vmid: [0-9]+}")
        void deleteGuest(@PathParam("node") String node, @PathParam("vmid") int vmid);

        @GET
        String root();

        /** Not an endpoint: no HTTP method. */
        default String helper() {
            return "";
        }
    }

    @Test
    void readsEveryOperationWithItsWholeTemplate() {
        assertThat(ContractEndpoints.of(Contract.class)).containsExactly(
                new Endpoint("GET", "/internal", "Contract.root"),
                new Endpoint("DELETE", "/internal/guests/{node}/{vmid: [0-9]+}", "Contract.deleteGuest"),
                new Endpoint("POST", "/internal/sandboxes/{id}/exec", "Contract.exec"));
    }

    @Test
    void fillsInEveryParameterAndKnowsWhichSegmentsTheyAre() {
        Endpoint guest = new Endpoint("DELETE", "/internal/guests/{node}/{vmid: [0-9]+}", "deleteGuest");

        assertThat(guest.path(Map.of("node", "pve1", "vmid", "100"))).isEqualTo("/internal/guests/pve1/100");
        assertThat(guest.parameterSegments()).isEqualTo(Set.of(2, 3));
        assertThatThrownBy(() -> guest.path(Map.of("node", "pve1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("{vmid}");
    }

    @Test
    void aClassWithoutPathIsNoContract() {
        assertThatThrownBy(() -> ContractEndpoints.of(String.class)).isInstanceOf(IllegalArgumentException.class);
    }
}
