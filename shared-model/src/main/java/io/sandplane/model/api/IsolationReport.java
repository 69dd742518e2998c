package io.sandplane.model.api;

import java.time.Instant;
import java.util.List;

/**
 * A sandbox's guest checked against its isolation, as the hypervisor reports it now: PVE's firewall on
 * at every level that gates the guest (the datacenter, the guest's options, its NIC), the guest's rules
 * and IP sets as Sandplane wrote them, and its address inside the sandbox network.
 *
 * @param isolated  true when nothing is wrong
 * @param problems  what is wrong, one short sentence each (e.g. "the NIC net0 has firewall=0"); empty when isolated
 * @param address   the guest's IPv4 address as PVE reports it now; null when it has none (stopped)
 * @param checkedAt when the hypervisor was asked
 */
public record IsolationReport(String sandboxId, boolean isolated, List<String> problems, String address, Instant checkedAt) {

    public IsolationReport {
        problems = List.copyOf(problems);
    }
}
