package io.sandplane.sandboxapi.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.sandboxapi.rest.dto.ServiceInfo;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders rows as the public API shows them. */
public final class SandboxViews {

    private SandboxViews() {
    }

    public static SandboxView of(Sandbox s, List<SandboxService> services) {
        Map<String, String> urls = new LinkedHashMap<>();
        List<ServiceInfo> infos = services.stream().map(x -> new ServiceInfo(x.name, x.port, x.authMode, x.url)).toList();
        infos.forEach(i -> urls.put(i.name(), i.url()));
        return new SandboxView(s.id, s.status, s.step, s.provider, s.snapshotId, s.presetId, s.templateVersion, s.vmid,
                s.node, urls, infos, s.ttlSeconds, s.ttlAction, s.expiresAt, s.idleTimeoutSeconds, s.wakeOnHttp,
                new TreeMap<>(s.metadata), s.networkPolicy(), s.error, s.createdAt, s.updatedAt, null);
    }
}
