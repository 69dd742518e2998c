package io.sandplane.sandboxapi.rest.dto;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * cmux's {@code StartSandboxBody}. Sandplane uses {@code teamSlugOrId}, {@code snapshotId},
 * {@code ttlSeconds} and {@code metadata}; the rest (environment, task run, repository, agent
 * fields, and anything newer cmux versions send) is accepted and ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StartSandboxBody(
        String teamSlugOrId,
        String environmentId,
        String snapshotId,
        Long ttlSeconds,
        Map<String, String> metadata,
        String taskRunId,
        String taskRunJwt,
        Boolean isCloudWorkspace,
        String repoUrl,
        String branch,
        String newBranch,
        Integer depth,
        String agentName,
        String prompt) {
}
