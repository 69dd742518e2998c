package io.sandplane.devsupport.localrun;

import io.sandplane.devsupport.topology.Topology;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Collectors;

/** What the local run prints once everything is ready. */
record Summary(String apiUrl, String operatorToken, String teamApiKey, String publicDomain, Path home, String realPveUrl) {

    /** e.g. {@code 9080 sandbox-api, 9081 provisioner, …}. */
    private static String managementPorts() {
        return Arrays.stream(Topology.Service.values()).filter(s -> s.defaultManagementPort() != 0)
                .sorted(Comparator.comparingInt(Topology.Service::defaultManagementPort))
                .map(s -> s.defaultManagementPort() + " " + s.module()).collect(Collectors.joining(", "));
    }

    String render() {
        String pve = realPveUrl != null ? realPveUrl + " (real PVE)"
                : "pve-simulator on http://127.0.0.1:" + Topology.Service.PVE_SIMULATOR.defaultPort()
                        + " (set PVE_API_URL, PVE_API_TOKEN and PVE_IP_POOL_CIDR for a real PVE)";
        return """

                Sandplane is running.

                  API             %1$s
                  Swagger UI      %1$s/q/swagger-ui
                  Health, metrics http://127.0.0.1:<port>/q/health and /q/metrics on the management ports
                                  %8$s
                  Sandbox URLs    http://port-<port>-vm-<vmid>.%2$s
                  PVE             %3$s
                  Logs            %4$s/logs/<service>.log
                  Operator token  %5$s   (Authorization: Bearer … on /api/admin)
                  Team API key    %6$s   (team "%7$s")

                Start a sandbox (the answer lists its URLs and, once, its accessToken):

                  curl -s -X POST %1$s/api/sandboxes \\
                    -H 'Authorization: Bearer %6$s' \\
                    -H 'Content-Type: application/json' -d '{}'

                Then open its VS Code in a browser: the "vscode" URL of the answer with
                ?sandplane_token=<accessToken> appended, e.g.
                  http://port-39378-vm-<vmid>.%2$s/?sandplane_token=<accessToken>

                Ctrl-C stops everything; the data stays in %4$s for the next run.
                """.formatted(apiUrl, publicDomain, pve, home, operatorToken, teamApiKey, Bootstrap.TEAM, managementPorts());
    }
}
