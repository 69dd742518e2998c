package io.sandplane.model.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.Secrets;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxEvent;
import io.sandplane.model.entity.SandboxEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SandboxEventsTest {

    private final Instant now = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void aLegalTransitionChangesTheRowAndYieldsItsEvent() {
        Sandbox s = sandbox(SandboxStatus.PROVISIONING);
        SandboxEvent e = SandboxEvents.transition(s, SandboxStatus.RUNNING, SandboxEvents.PROVISIONER, "ready", now);
        assertThat(s.status).isEqualTo(SandboxStatus.RUNNING);
        assertThat(s.statusChangedAt).isEqualTo(now);
        assertThat(e.type).isEqualTo(SandboxEvent.Type.STATUS);
        assertThat(e.fromStatus).isEqualTo(SandboxStatus.PROVISIONING);
        assertThat(e.toStatus).isEqualTo(SandboxStatus.RUNNING);
        assertThat(e.sandboxId).isEqualTo(s.id);
        assertThat(e.actor).isEqualTo("provisioner");
    }

    @Test
    void anIllegalTransitionChangesNothing() {
        Sandbox s = sandbox(SandboxStatus.DELETED);
        assertThatThrownBy(() -> SandboxEvents.transition(s, SandboxStatus.RUNNING, SandboxEvents.SANDBOX_API, null, now))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(s.status).isEqualTo(SandboxStatus.DELETED);
        assertThat(s.statusChangedAt).isNull();
    }

    @Test
    void stepsAreRecordedOnTheRow() {
        Sandbox s = sandbox(SandboxStatus.PROVISIONING);
        SandboxEvent e = SandboxEvents.step(s, ProvisionStep.CLONED, SandboxEvents.PROVISIONER, "from 9001", now);
        assertThat(s.step).isEqualTo(ProvisionStep.CLONED);
        assertThat(e.step).isEqualTo(ProvisionStep.CLONED);
        assertThat(e.type).isEqualTo(SandboxEvent.Type.STEP);
    }

    @Test
    void secretsAreRandomAndHashedStably() {
        String a = Secrets.newSecret("sp_");
        String b = Secrets.newSecret("sp_");
        assertThat(a).startsWith("sp_").hasSize(3 + 43).isNotEqualTo(b);
        assertThat(Secrets.sha256Hex("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Secrets.sameHash(Secrets.sha256Hex(a), Secrets.sha256Hex(a))).isTrue();
        assertThat(Secrets.sameHash(Secrets.sha256Hex(a), Secrets.sha256Hex(b))).isFalse();
        assertThat(Secrets.sameHash(null, "x")).isFalse();
    }

    private static Sandbox sandbox(SandboxStatus status) {
        Sandbox s = new Sandbox();
        s.id = SandboxIds.newId();
        s.status = status;
        return s;
    }
}
