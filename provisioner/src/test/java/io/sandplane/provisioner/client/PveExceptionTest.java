package io.sandplane.provisioner.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PveExceptionTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            500 | clone failed: storage error                                               | transient
            502 | Bad Gateway                                                               | transient
            595 | Errors during connection establishment, proxy handshake                   | transient
            596 | Connection timed out                                                      | transient
            599 | Too many redirections                                                     | transient
            500 | can't lock file '/run/lock/lxc/pve-config-200.lock' - got timeout         | transient
            500 | cfs-lock 'storage-local-lvm' error: got lock request timeout              | transient
            500 | CT 200 already exists on node 'pve1'                                       | permanent
            500 | unable to create CT 200 - CT 200 already exists on node 'pve1'            | permanent
            500 | Configuration file 'nodes/pve1/lxc/999.conf' does not exist               | permanent
            500 | CT is locked (disk)                                                       | permanent
            501 | Method 'GET /nodes/pve/foo' not implemented                               | permanent
            400 | Parameter verification failed. (vmid: VM 200 already exists)              | permanent
            401 | Authentication failed!                                                    | permanent
            403 | Permission check failed (/vms/200, VM.Allocate)                           | permanent
            """)
    void classifiesByStatusAndMessage(int status, String message, String kind) {
        PveException e = PveException.of(status, message);
        assertThat(e.isTransient()).isEqualTo(kind.equals("transient"));
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.pveMessage()).isEqualTo(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            CT 200 already exists on node 'pve1'                        | alreadyExists
            Configuration file 'nodes/pve1/lxc/999.conf' does not exist | doesNotExist
            CT is locked (create)                                       | isLocked
            CT 200 already running                                      | alreadyRunning
            CT 200 not running                                          | notRunning
            """)
    void namesTheSituationsCallersReactTo(String message, String situation) {
        PveException e = PveException.of(500, message);
        assertThat(e.alreadyExists()).isEqualTo(situation.equals("alreadyExists"));
        assertThat(e.doesNotExist()).isEqualTo(situation.equals("doesNotExist"));
        assertThat(e.isLocked()).isEqualTo(situation.equals("isLocked"));
        assertThat(e.alreadyRunning()).isEqualTo(situation.equals("alreadyRunning"));
        assertThat(e.notRunning()).isEqualTo(situation.equals("notRunning"));
    }

    @org.junit.jupiter.api.Test
    void anEmptyMessageFallsBackToTheStatus() {
        PveException e = PveException.of(503, "  ");
        assertThat(e.pveMessage()).isEqualTo("HTTP 503");
        assertThat(e.getMessage()).isEqualTo("PVE 503: HTTP 503");
        assertThat(e.isTransient()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void anUnreachablePveIsTransient() {
        PveException e = PveException.unreachable("ConnectException: Connection refused", null);
        assertThat(e.isTransient()).isTrue();
        assertThat(e.status()).isZero();
        assertThat(e.getMessage()).isEqualTo("cannot reach PVE: ConnectException: Connection refused");
    }
}
