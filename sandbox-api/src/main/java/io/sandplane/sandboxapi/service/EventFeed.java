package io.sandplane.sandboxapi.service;

import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.sandboxapi.repository.SandboxEventRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import io.sandplane.sandboxapi.rest.dto.EventView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Reads new history rows for an open event stream. Rows are written by whichever service acts
 * (sandbox-api, provisioner, reaper, url-router) and numbered by one sequence, so "id greater than
 * the last one sent" delivers each row once and in order.
 */
@ApplicationScoped
public class EventFeed {

    public static final int BATCH = 200;

    private final SandboxEventRepository events;
    private final SandboxRepository sandboxes;

    public EventFeed(SandboxEventRepository events, SandboxRepository sandboxes) {
        this.events = events;
        this.sandboxes = sandboxes;
    }

    @Transactional
    public List<EventView> after(String sandboxId, long afterId) {
        return events.after(sandboxId, afterId, BATCH).stream().map(EventView::of).toList();
    }

    /** A DELETED sandbox has nothing more to say: its stream ends once every row was sent. */
    @Transactional
    public boolean finished(String sandboxId) {
        Sandbox s = sandboxes.findById(sandboxId);
        return s == null || s.status == SandboxStatus.DELETED;
    }
}
