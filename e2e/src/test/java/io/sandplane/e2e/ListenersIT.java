package io.sandplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandplane.e2e.support.Api;
import io.sandplane.e2e.support.Api.Answer;
import io.sandplane.e2e.support.E2eTopology;
import io.sandplane.e2e.support.Starts;
import io.sandplane.e2e.support.Teams.Team;
import io.sandplane.e2e.support.Topologies;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sandplane's own listeners, as the local run and the topologies configure them, are on 127.0.0.1
 * only: on this machine the sandboxes' guests are loopback addresses too (the simulator's guest
 * network, 127.N.0.0/16), and a listener on a wildcard address would answer a connection to a guest's
 * address, so a sandbox could reach the control plane (through its own URLs, or from inside).
 */
class ListenersIT {

    private final E2eTopology topology = Topologies.shared();
    private final Api api = topology.api();

    @Test
    void everyListenerAnswersOn127001AndRefusesConnectionsToGuestAddresses() {
        Team team = topology.team().create();
        Answer started = api.post("/api/sandboxes", team.key(), Starts.body().json());
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        JsonNode sandbox = started.json();
        try {
            String guest = topology.simulator().guest(sandbox.path("vmid").asInt()).orElseThrow().address();
            String network = topology.topology().guestNetwork().orElseThrow();
            // The guest network's first address, which the simulator never gives a guest: the network's "gateway".
            String gateway = network.substring(0, network.indexOf(".0.0/")) + ".0.1";
            assertThat(guest).startsWith(network.substring(0, network.indexOf(".0.0/") + 1));
            assertThat(connects(guest, 39378)).as("the guest's VS Code port, on its own address").isTrue();

            Map<String, Integer> listeners = topology.topology().listeners();
            assertThat(listeners.keySet()).contains("PostgreSQL", "pve-simulator", "provisioner", "provisioner management",
                    "url-router", "url-router management", "url-router proxy", "reaper", "reaper management", "sandbox-api",
                    "sandbox-api management");
            List<String> wrong = new ArrayList<>();
            listeners.forEach((listener, port) -> {
                if (!connects("127.0.0.1", port)) {
                    wrong.add(listener + " does not answer on 127.0.0.1:" + port);
                }
                for (String address : List.of(gateway, guest)) {
                    if (connects(address, port)) {
                        wrong.add(listener + " answers on the guest address " + address + ":" + port);
                    }
                }
            });
            assertThat(wrong).as("listeners %s", listeners).isEmpty();
        } finally {
            api.delete("/api/sandboxes/" + sandbox.path("id").asText(), team.key());
        }
    }

    /** Whether a TCP connection to {@code address:port} is accepted; false when it is refused. */
    private static boolean connects(String address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        } catch (IOException e) {
            throw new AssertionError("neither accepted nor refused: " + address + ":" + port, e);
        }
    }
}
