package io.sandplane.provisioner.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The PVE endpoints the provisioner calls, as a MicroProfile REST client. Built by {@link PveClient}
 * (which adds the token, TLS settings, fault tolerance and metrics); nothing else uses it directly.
 * GET/DELETE parameters go in the query string, POST/PUT parameters as a form, booleans as 0/1.
 */
@Path("/api2/json")
@Produces(MediaType.APPLICATION_JSON)
interface PveApi {

    ObjectMapper JSON = new ObjectMapper();

    @GET
    @Path("/version")
    PveData<PveTypes.Version> version();

    @GET
    @Path("/nodes")
    PveData<List<PveTypes.Node>> nodes();

    @GET
    @Path("/nodes/{node}/dns")
    PveData<PveTypes.Dns> dns(@PathParam("node") String node);

    @GET
    @Path("/nodes/{node}/storage")
    PveData<List<PveTypes.Storage>> storage(@PathParam("node") String node, @QueryParam("content") String content);

    /** Free VMID check: answers the id if free, 400 {@code VM N already exists} if not. */
    @GET
    @Path("/cluster/nextid")
    PveData<Integer> nextId(@QueryParam("vmid") int vmid);

    @GET
    @Path("/nodes/{node}/lxc")
    PveData<List<PveTypes.Guest>> containers(@PathParam("node") String node);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/clone")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<String> clone(@PathParam("node") String node, @PathParam("vmid") int templateVmid,
            @FormParam("newid") int newId, @FormParam("hostname") String hostname,
            @FormParam("description") String description, @FormParam("full") int full);

    @GET
    @Path("/nodes/{node}/lxc/{vmid}/config")
    PveData<PveTypes.LxcConfig> config(@PathParam("node") String node, @PathParam("vmid") int vmid);

    /** Synchronous; answers {@code null}. */
    @PUT
    @Path("/nodes/{node}/lxc/{vmid}/config")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> updateConfig(@PathParam("node") String node, @PathParam("vmid") int vmid,
            MultivaluedMap<String, String> form);

    @GET
    @Path("/nodes/{node}/lxc/{vmid}/status/current")
    PveData<PveTypes.GuestStatus> status(@PathParam("node") String node, @PathParam("vmid") int vmid);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/status/start")
    PveData<String> start(@PathParam("node") String node, @PathParam("vmid") int vmid);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/status/stop")
    PveData<String> stop(@PathParam("node") String node, @PathParam("vmid") int vmid);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/status/shutdown")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<String> shutdown(@PathParam("node") String node, @PathParam("vmid") int vmid,
            @FormParam("timeout") int timeoutSeconds, @FormParam("forceStop") int forceStop);

    /** {@code null} data while the container is stopped. */
    @GET
    @Path("/nodes/{node}/lxc/{vmid}/interfaces")
    PveData<List<PveTypes.NetInterface>> interfaces(@PathParam("node") String node, @PathParam("vmid") int vmid);

    @DELETE
    @Path("/nodes/{node}/lxc/{vmid}")
    PveData<String> destroy(@PathParam("node") String node, @PathParam("vmid") int vmid, @QueryParam("purge") int purge,
            @QueryParam("force") int force);

    @GET
    @Path("/nodes/{node}/tasks/{upid}/status")
    PveData<PveTypes.TaskStatus> taskStatus(@PathParam("node") String node, @PathParam("upid") String upid);

    // ---- firewall (synchronous; PVE answers null to every change) --------------------------

    @GET
    @Path("/cluster/firewall/options")
    PveData<PveTypes.FirewallOptions> clusterFirewallOptions();

    @GET
    @Path("/cluster/firewall/ipset")
    PveData<List<PveTypes.FirewallObject>> clusterIpSets();

    @POST
    @Path("/cluster/firewall/ipset")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> createClusterIpSet(MultivaluedMap<String, String> form);

    @GET
    @Path("/cluster/firewall/ipset/{name}")
    PveData<List<PveTypes.IpSetEntry>> clusterIpSet(@PathParam("name") String name);

    @POST
    @Path("/cluster/firewall/ipset/{name}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> addClusterIpSetEntry(@PathParam("name") String name, MultivaluedMap<String, String> form);

    /** {@code cidr} is the entry's stored text; PVE takes the rest of the path, so its slash may be encoded. */
    @PUT
    @Path("/cluster/firewall/ipset/{name}/{cidr}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> updateClusterIpSetEntry(@PathParam("name") String name, @PathParam("cidr") String cidr,
            MultivaluedMap<String, String> form);

    @DELETE
    @Path("/cluster/firewall/ipset/{name}/{cidr}")
    PveData<JsonNode> removeClusterIpSetEntry(@PathParam("name") String name, @PathParam("cidr") String cidr,
            @QueryParam("digest") String digest);

    @GET
    @Path("/cluster/firewall/groups")
    PveData<List<PveTypes.FirewallObject>> securityGroups();

    @POST
    @Path("/cluster/firewall/groups")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> createSecurityGroup(MultivaluedMap<String, String> form);

    @GET
    @Path("/cluster/firewall/groups/{group}")
    PveData<List<PveTypes.FirewallRule>> groupRules(@PathParam("group") String group);

    @POST
    @Path("/cluster/firewall/groups/{group}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> addGroupRule(@PathParam("group") String group, MultivaluedMap<String, String> form);

    @DELETE
    @Path("/cluster/firewall/groups/{group}/{pos}")
    PveData<JsonNode> removeGroupRule(@PathParam("group") String group, @PathParam("pos") int pos,
            @QueryParam("digest") String digest);

    @GET
    @Path("/nodes/{node}/lxc/{vmid}/firewall/options")
    PveData<PveTypes.FirewallOptions> guestFirewallOptions(@PathParam("node") String node, @PathParam("vmid") int vmid);

    @PUT
    @Path("/nodes/{node}/lxc/{vmid}/firewall/options")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> setGuestFirewallOptions(@PathParam("node") String node, @PathParam("vmid") int vmid,
            MultivaluedMap<String, String> form);

    @GET
    @Path("/nodes/{node}/lxc/{vmid}/firewall/rules")
    PveData<List<PveTypes.FirewallRule>> guestRules(@PathParam("node") String node, @PathParam("vmid") int vmid);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/firewall/rules")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> addGuestRule(@PathParam("node") String node, @PathParam("vmid") int vmid,
            MultivaluedMap<String, String> form);

    @DELETE
    @Path("/nodes/{node}/lxc/{vmid}/firewall/rules/{pos}")
    PveData<JsonNode> removeGuestRule(@PathParam("node") String node, @PathParam("vmid") int vmid, @PathParam("pos") int pos,
            @QueryParam("digest") String digest);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/firewall/ipset")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> createGuestIpSet(@PathParam("node") String node, @PathParam("vmid") int vmid,
            MultivaluedMap<String, String> form);

    @GET
    @Path("/nodes/{node}/lxc/{vmid}/firewall/ipset/{name}")
    PveData<List<PveTypes.IpSetEntry>> guestIpSet(@PathParam("node") String node, @PathParam("vmid") int vmid,
            @PathParam("name") String name);

    @POST
    @Path("/nodes/{node}/lxc/{vmid}/firewall/ipset/{name}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    PveData<JsonNode> addGuestIpSetEntry(@PathParam("node") String node, @PathParam("vmid") int vmid,
            @PathParam("name") String name, MultivaluedMap<String, String> form);

    @DELETE
    @Path("/nodes/{node}/lxc/{vmid}/firewall/ipset/{name}/{cidr}")
    PveData<JsonNode> removeGuestIpSetEntry(@PathParam("node") String node, @PathParam("vmid") int vmid,
            @PathParam("name") String name, @PathParam("cidr") String cidr, @QueryParam("digest") String digest);

    /**
     * Turns a PVE error into a {@link PveException}: the message comes from the body's {@code message}
     * (PVE 8.4+) plus any parameter {@code errors}, else from the reason phrase (older PVE).
     */
    @ClientExceptionMapper
    static RuntimeException toException(Response response) {
        if (response.getStatus() < 400) {
            return null;
        }
        String reason = response.getStatusInfo().getReasonPhrase();
        String bodyMessage = null;
        StringBuilder fieldErrors = new StringBuilder();
        try {
            String body = response.hasEntity() ? response.readEntity(String.class) : null;
            if (body != null && !body.isBlank()) {
                JsonNode json = JSON.readTree(body);
                if (json.hasNonNull("message")) {
                    bodyMessage = json.get("message").asText();
                }
                JsonNode errors = json.get("errors");
                if (errors != null && errors.isObject()) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = errors.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> e = it.next();
                        fieldErrors.append(fieldErrors.isEmpty() ? "" : "; ").append(e.getKey()).append(": ")
                                .append(e.getValue().asText().strip());
                    }
                }
            }
        } catch (Exception e) {
            // Not JSON (a proxy's HTML page, an empty body): the reason phrase is all there is.
        }
        String message = bodyMessage != null && !bodyMessage.isBlank() ? bodyMessage.strip() : reason;
        if (!fieldErrors.isEmpty()) {
            message = (message == null ? "" : message + " ") + "(" + fieldErrors + ")";
        }
        return PveException.of(response.getStatus(), message);
    }
}
