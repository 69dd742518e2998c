package io.sandplane.model.lifecycle;

import static io.sandplane.model.lifecycle.SandboxStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxStatusTest {

    /** The lifecycle of the design brief, written out independently of the implementation. */
    private static final Map<SandboxStatus, Set<SandboxStatus>> LEGAL = Map.of(
            PROVISIONING, EnumSet.of(RUNNING, FAILED, DELETING),
            RUNNING, EnumSet.of(PAUSED, STOPPED, DELETING, LOST),
            PAUSED, EnumSet.of(RUNNING, STOPPED, DELETING, LOST),
            STOPPED, EnumSet.of(RUNNING, DELETING, LOST),
            DELETING, EnumSet.of(DELETED),
            DELETED, EnumSet.noneOf(SandboxStatus.class),
            FAILED, EnumSet.of(DELETED),
            LOST, EnumSet.of(DELETED));

    @Test
    void everyPairIsLegalExactlyWhenTheLifecycleSaysSo() {
        int illegal = 0;
        for (SandboxStatus from : values()) {
            for (SandboxStatus to : values()) {
                boolean expected = LEGAL.get(from).contains(to);
                assertThat(from.canTransitionTo(to)).as(from + " -> " + to).isEqualTo(expected);
                if (!expected) {
                    illegal++;
                    assertThatThrownBy(() -> requireTransition("sbx_x", from, to))
                            .isInstanceOf(IllegalTransitionException.class)
                            .hasMessageContaining(from.name()).hasMessageContaining(to.name());
                }
            }
        }
        assertThat(illegal).isEqualTo(64 - 17);
    }

    @Test
    void noStateTransitionsToItself() {
        for (SandboxStatus s : values()) {
            assertThat(s.canTransitionTo(s)).as(s.name()).isFalse();
        }
    }

    @Test
    void illegalTransitionIsA409CarryingTheCurrentState() {
        IllegalTransitionException e = new IllegalTransitionException("sbx_abc", DELETED, RUNNING);
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.extensions()).containsEntry("currentStatus", "DELETED");
        assertThat(e.current()).isEqualTo(DELETED);
    }

    @Test
    void liveStatesAreThoseThatMayHaveAGuest() {
        assertThat(EnumSet.allOf(SandboxStatus.class).stream().filter(SandboxStatus::isLive))
                .containsExactlyInAnyOrder(PROVISIONING, RUNNING, PAUSED, STOPPED, DELETING);
        assertThat(DELETED.isTerminal()).isTrue();
        assertThat(FAILED.isTerminal()).isFalse();
    }

    @Test
    void stepsAreOrdered() {
        assertThat(ProvisionStep.CLONED.isAfter(ProvisionStep.VMID_ALLOCATED)).isTrue();
        assertThat(ProvisionStep.VMID_ALLOCATED.isAfter(ProvisionStep.CLONED)).isFalse();
    }

    @Test
    void sandboxIdsAreUnguessableAndValidAsPveTags() {
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = SandboxIds.newId();
            assertThat(SandboxIds.isValid(id)).isTrue();
            assertThat(id).matches("sbx_[a-z2-7]{20}");
            assertThat(io.sandplane.model.pve.PveValues.requireTag(id)).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(1000);
        assertThat(SandboxIds.isValid("sbx_AAAAAAAAAAAAAAAAAAAA")).isFalse();
        assertThat(SandboxIds.isValid("sbx_aaaa")).isFalse();
        assertThat(SandboxIds.isValid(null)).isFalse();
    }

    @Test
    void ttlActionsReadTheirLowerCaseNames() {
        assertThat(TtlAction.fromId("pause")).isEqualTo(TtlAction.PAUSE);
        assertThatThrownBy(() -> TtlAction.fromId("PAUSE")).hasMessageContaining("expected stop, pause or delete");
        assertThatThrownBy(() -> TtlAction.fromId(null)).isInstanceOf(io.sandplane.model.InvalidValueException.class);
    }
}
