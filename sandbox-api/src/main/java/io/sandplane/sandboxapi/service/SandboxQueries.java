package io.sandplane.sandboxapi.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.entity.Sandbox;
import io.sandplane.model.entity.SandboxService;
import io.sandplane.model.lifecycle.SandboxIds;
import io.sandplane.model.lifecycle.SandboxStatus;
import io.sandplane.model.problem.ProblemException;
import io.sandplane.sandboxapi.config.ApiConfig;
import io.sandplane.sandboxapi.repository.SandboxEventRepository;
import io.sandplane.sandboxapi.repository.SandboxRepository;
import io.sandplane.sandboxapi.repository.SandboxViewRepository;
import io.sandplane.sandboxapi.repository.ServiceRepository;
import io.sandplane.sandboxapi.rest.dto.EventView;
import io.sandplane.sandboxapi.rest.dto.SandboxPage;
import io.sandplane.sandboxapi.rest.dto.SandboxView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Reading a team's sandboxes and their history. Another team's sandbox is a 404, never a 403. */
@ApplicationScoped
public class SandboxQueries {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Listing leaves deleted sandboxes out unless asked for by status. */
    private static final Set<SandboxStatus> DEFAULT_STATUSES = EnumSet.complementOf(EnumSet.of(SandboxStatus.DELETED));

    private final SandboxRepository sandboxes;
    private final SandboxViewRepository views;
    private final ServiceRepository services;
    private final SandboxEventRepository events;
    private final StartRequests requests;
    private final ApiConfig.Limits limits;

    public SandboxQueries(SandboxRepository sandboxes, SandboxViewRepository views, ServiceRepository services,
            SandboxEventRepository events, StartRequests requests, ApiConfig config) {
        this.sandboxes = sandboxes;
        this.views = views;
        this.services = services;
        this.events = events;
        this.requests = requests;
        this.limits = config.limits();
    }

    /** 400 for a malformed id (it cannot exist), 404 for one this team does not own. */
    public static void requireWellFormed(String id) {
        if (!SandboxIds.isValid(id)) {
            throw RequestInvalid.of("id", "invalid sandbox id " + io.sandplane.model.InvalidValueException.quote(id)
                    + "; expected sbx_ followed by 20 lower-case letters and digits 2-7");
        }
    }

    /** Reads outside a transaction (on the hot path), or inside the caller's. */
    public Sandbox owned(Caller caller, String id) {
        requireWellFormed(id);
        return sandboxes.findForTeam(id, caller.teamId()).orElseThrow(() -> notFound(id));
    }

    public static ProblemException notFound(String id) {
        return ProblemException.notFound("no sandbox " + id);
    }

    /** One read without a transaction: the sandbox joined with its services; the cheapest GET there is. */
    public SandboxView view(Caller caller, String id) {
        requireWellFormed(id);
        SandboxRepository.WithServices found = sandboxes.findWithServices(id, caller.teamId()).orElseThrow(() -> notFound(id));
        return SandboxViews.of(found.sandbox(), found.services());
    }

    /**
     * The sandbox as another service just left it. Without a transaction, reads of one request share
     * a session that would answer with the row as it was loaded earlier in the request; a new
     * transaction reads afresh.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public SandboxView fresh(Caller caller, String id) {
        return view(caller, id);
    }

    /**
     * The sandbox as another service just left it (after the provisioner answered, or while a replay
     * waits): one plain read of committed state, on the start's hot path.
     */
    public SandboxView view(String id) {
        return views.find(id).orElseThrow(() -> notFound(id));
    }

    @Transactional
    public SandboxPage list(Caller caller, List<String> statusParams, List<String> metadataParams, String cursor,
            String limit) {
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        Set<SandboxStatus> statuses = statuses(statusParams, errors);
        Map<String, String> labels = labels(metadataParams, errors);
        int size = limit == null ? limits.defaultPageSize() : (int) number("limit", limit, 1, limits.maxPageSize(), errors);
        Cursor after = cursor == null ? null : Cursor.decode(cursor, errors);
        errors.throwIfAny();

        String labelsJson;
        try {
            labelsJson = labels.isEmpty() ? null : JSON.writeValueAsString(labels);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        List<Sandbox> rows = sandboxes.page(caller.teamId(), statuses, labelsJson,
                after == null ? null : after.createdAt(), after == null ? null : after.id(), size + 1);
        boolean more = rows.size() > size;
        List<Sandbox> page = more ? rows.subList(0, size) : rows;
        Map<String, List<SandboxService>> byId = services.forSandboxes(page.stream().map(s -> s.id).toList()).stream()
                .collect(Collectors.groupingBy(x -> x.sandboxId));
        List<SandboxView> views = page.stream().map(s -> SandboxViews.of(s, byId.getOrDefault(s.id, List.of()))).toList();
        String next = more ? new Cursor(page.getLast().createdAt, page.getLast().id).encode() : null;
        return new SandboxPage(views, next);
    }

    @Transactional
    public List<EventView> history(Caller caller, String id, String after, String limit) {
        Sandbox s = owned(caller, id);
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        long from = after == null ? 0 : number("after", after, 0, Long.MAX_VALUE, errors);
        int size = limit == null ? 1000 : (int) number("limit", limit, 1, 1000, errors);
        errors.throwIfAny();
        return events.after(s.id, from, size).stream().map(EventView::of).toList();
    }

    /** A whole number from a query parameter, within bounds; throws 400 naming the parameter. */
    public static long number(String field, String text, long min, long max) {
        RequestInvalid.Collector errors = new RequestInvalid.Collector();
        long value = number(field, text, min, max, errors);
        errors.throwIfAny();
        return value;
    }

    static long number(String field, String text, long min, long max, RequestInvalid.Collector errors) {
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(field, field + " must be a whole number between " + min + " and " + max);
        return min;
    }

    private static Set<SandboxStatus> statuses(List<String> params, RequestInvalid.Collector errors) {
        if (params == null || params.isEmpty()) {
            return DEFAULT_STATUSES;
        }
        Set<SandboxStatus> set = EnumSet.noneOf(SandboxStatus.class);
        for (String param : params) {
            for (String name : param.split(",")) {
                try {
                    set.add(SandboxStatus.valueOf(name.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    errors.add("status", "unknown status " + io.sandplane.model.InvalidValueException.quote(name)
                            + "; expected one of " + EnumSet.allOf(SandboxStatus.class));
                }
            }
        }
        return set;
    }

    /** {@code metadata=key=value}, repeatable; all must match. */
    private Map<String, String> labels(List<String> params, RequestInvalid.Collector errors) {
        Map<String, String> labels = new TreeMap<>();
        if (params == null) {
            return labels;
        }
        for (String param : params) {
            int eq = param.indexOf('=');
            if (eq <= 0) {
                errors.add("metadata", "filter by metadata as metadata=key=value, got "
                        + io.sandplane.model.InvalidValueException.quote(param));
                continue;
            }
            labels.put(param.substring(0, eq), param.substring(eq + 1));
        }
        requests.checkMetadata(labels, errors);
        return labels;
    }

    /** Position after the last sandbox of a page: (created_at, id), opaque to clients. */
    record Cursor(Instant createdAt, String id) {

        String encode() {
            String raw = createdAt.getEpochSecond() + "." + createdAt.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String text, RequestInvalid.Collector errors) {
            try {
                if (text.length() > 200) {
                    throw new IllegalArgumentException("too long");
                }
                String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                int dot = raw.indexOf('.');
                if (colon < 0 || dot < 0 || dot > colon) {
                    throw new IllegalArgumentException("shape");
                }
                long seconds = Long.parseLong(raw.substring(0, dot));
                int nanos = Integer.parseInt(raw.substring(dot + 1, colon));
                String id = raw.substring(colon + 1);
                if (!SandboxIds.isValid(id) || nanos < 0 || nanos > 999_999_999) {
                    throw new IllegalArgumentException("values");
                }
                return new Cursor(Instant.ofEpochSecond(seconds, nanos), id);
            } catch (RuntimeException e) {
                errors.add("cursor", "invalid cursor; pass nextCursor from the previous page unchanged");
                return null;
            }
        }
    }

}
