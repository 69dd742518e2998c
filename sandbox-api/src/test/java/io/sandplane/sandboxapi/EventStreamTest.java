package io.sandplane.sandboxapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sandplane.devsupport.test.PostgresResource;
import io.sandplane.model.lifecycle.ProvisionStep;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.support.LogCapture;
import io.sandplane.sandboxapi.support.SandboxRows;
import io.sandplane.sandboxapi.support.SseClient;
import io.sandplane.sandboxapi.support.TestTeam;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The progress stream: rows another service writes to sandbox_events while a client listens reach
 * it as they are written, in order (SandboxRows writes them as the provisioner does).
 */
@QuarkusTest
@WithTestResource(value = PostgresResource.class, scope = TestResourceScope.GLOBAL)
class EventStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @Inject
    SandboxRows rows;

    @TestHTTPResource("/api/sandboxes/")
    URI sandboxes;

    private SseClient open(TestTeam team, String path, Map<String, String> extra) {
        var headers = new java.util.HashMap<>(Map.of("Authorization", "Bearer " + team.key()));
        headers.putAll(extra);
        return SseClient.open(sandboxes.resolve(path), headers);
    }

    @Test
    void streamsTheStepsOfAStartInOrderAsTheyAreWritten() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        try (SseClient stream = open(team, id + "/events", Map.of("Accept", "text/event-stream"))) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            for (ProvisionStep step : ProvisionStep.values()) {
                rows.step(id, step);
                SseClient.Event e = stream.next(1, WAIT).getFirst();
                assertThat(e.name()).isEqualTo("step");
                assertThat(e.data().get("step").asText()).isEqualTo(step.name());
                assertThat(e.data().get("progress").asInt()).isEqualTo(step.ordinal() + 1);
                assertThat(e.data().get("totalSteps").asInt()).isEqualTo(ProvisionStep.values().length);
            }
            rows.transition(id, SandboxStatus.RUNNING);
            SseClient.Event running = stream.next(1, WAIT).getFirst();
            assertThat(running.name()).isEqualTo("status");
            assertThat(running.data().get("fromStatus").asText()).isEqualTo("PROVISIONING");
            assertThat(running.data().get("toStatus").asText()).isEqualTo("RUNNING");
        }
    }

    @Test
    void deliversABurstInOrderWithIncreasingIds() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        try (SseClient stream = open(team, id + "/events?follow=true", Map.of())) {
            assertThat(stream.contentType()).startsWith("text/event-stream");
            for (ProvisionStep step : ProvisionStep.values()) {
                rows.step(id, step);
            }
            List<SseClient.Event> events = stream.next(ProvisionStep.values().length, WAIT);
            assertThat(events).extracting(e -> e.data().get("step").asText())
                    .containsExactly(java.util.Arrays.stream(ProvisionStep.values()).map(Enum::name).toArray(String[]::new));
            assertThat(events).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void replaysHistoryAndResumesAfterLastEventId() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.PROVISIONING);
        long first = rows.step(id, ProvisionStep.VMID_ALLOCATED);
        rows.step(id, ProvisionStep.CLONED);
        try (SseClient stream = open(team, id + "/events", Map.of("Accept", "text/event-stream"))) {
            assertThat(stream.next(2, WAIT)).extracting(e -> e.data().get("step").asText())
                    .containsExactly("VMID_ALLOCATED", "CLONED");
        }
        try (SseClient stream = open(team, id + "/events",
                Map.of("Accept", "text/event-stream", "Last-Event-ID", Long.toString(first)))) {
            assertThat(stream.next(1, WAIT).getFirst().data().get("step").asText()).isEqualTo("CLONED");
        }
    }

    @Test
    void endsTheStreamOfADeletedSandboxAfterItsLastEvent() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        try (SseClient stream = open(team, id + "/events", Map.of("Accept", "text/event-stream"))) {
            rows.transition(id, SandboxStatus.DELETING);
            rows.transition(id, SandboxStatus.DELETED);
            assertThat(stream.next(2, WAIT)).extracting(e -> e.data().get("toStatus").asText())
                    .containsExactly("DELETING", "DELETED");
            assertThat(stream.ended(WAIT)).isTrue();
        }
    }

    @Test
    void followingADeletedSandboxSendsItsHistoryAndEndsWithoutAnErrorInTheLog() {
        TestTeam team = TestTeam.create();
        String id = rows.insert(team.id(), SandboxStatus.RUNNING);
        rows.transition(id, SandboxStatus.DELETING);
        rows.transition(id, SandboxStatus.DELETED);
        try (LogCapture log = LogCapture.start()) {
            try (SseClient stream = open(team, id + "/events?follow=true", Map.of())) {
                assertThat(stream.status()).isEqualTo(200);
                assertThat(stream.next(2, WAIT)).extracting(e -> e.data().get("toStatus").asText())
                        .containsExactly("DELETING", "DELETED");
                assertThat(stream.ended(WAIT)).isTrue();
            }
            // The request's end is logged (if at all) after the client saw the stream end.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .untilAsserted(() -> assertThat(log.errorsAndStackTraces()).isEmpty());
        }
    }

    @Test
    void anotherTeamGets404AndNoStream() {
        TestTeam owner = TestTeam.create();
        TestTeam stranger = TestTeam.create();
        String id = rows.insert(owner.id(), SandboxStatus.RUNNING);
        try (SseClient stream = open(stranger, id + "/events", Map.of("Accept", "text/event-stream"))) {
            assertThat(stream.status()).isEqualTo(404);
        }
    }
}
