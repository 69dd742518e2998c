package io.sandplane.sandboxapi.service;

import io.sandplane.model.api.ProviderHealth;
import io.sandplane.model.entity.Template;
import io.sandplane.sandboxapi.client.ProvisionerClient;
import io.sandplane.sandboxapi.rest.dto.SandboxConfigView;
import io.sandplane.sandboxapi.rest.dto.SandboxHealthView;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/** What a frontend needs to know before a start (config) and whether starts can work now (health). */
@ApplicationScoped
public class SandboxConfiguration {

    private final TemplateResolver templates;
    private final ProvisionerClient provisioner;

    public SandboxConfiguration(TemplateResolver templates, ProvisionerClient provisioner) {
        this.templates = templates;
        this.provisioner = provisioner;
    }

    public SandboxConfigView config() {
        List<SandboxConfigView.PresetView> presets = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, Template>> p : templates.presets().entrySet()) {
            Template latest = p.getValue().lastEntry().getValue();
            List<SandboxConfigView.VersionView> versions = p.getValue().values().stream()
                    .map(t -> new SandboxConfigView.VersionView(t.version, t.snapshotId)).toList();
            presets.add(new SandboxConfigView.PresetView(latest.snapshotId, p.getKey(), latest.label, latest.cpu,
                    latest.memory, latest.disk, latest.description, versions));
        }
        var provider = templates.provider();
        return new SandboxConfigView(provider.id(), provider.displayName(), presets,
                presets.isEmpty() ? "" : presets.getFirst().id(), provider.capabilities());
    }

    public SandboxHealthView health() {
        String provider = templates.provider().id();
        long began = System.nanoTime();
        try {
            ProviderHealth h = provisioner.health();
            boolean healthy = h.healthy();
            return new SandboxHealthView(healthy ? "healthy" : "unhealthy", provider,
                    h.reachable() ? "connected" : "error", h.latencyMs(), h.templatesPresent(),
                    healthy ? null : h.error() != null ? h.error() : "templates missing: " + h.missingTemplates(),
                    Instant.now());
        } catch (RuntimeException e) {
            String why = e instanceof CircuitBreakerOpenException ? "provisioner unreachable (circuit breaker open)"
                    : e instanceof TimeoutException ? "provisioner did not answer in time" : e.getMessage();
            return new SandboxHealthView("unhealthy", provider, "disconnected",
                    (System.nanoTime() - began) / 1_000_000, null, why, Instant.now());
        }
    }
}
