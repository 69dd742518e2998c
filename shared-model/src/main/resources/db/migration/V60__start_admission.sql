-- sandbox-api: a start's admission in one statement (migration range V60-V69).
--
-- Admission is exact across replicas under concurrency because it locks the team's row first; every
-- later statement of the function takes a new snapshot (READ COMMITTED), so it sees each start that
-- was committed before the lock was granted. Sent from the service as separate statements it took
-- five database round trips (seven with an Idempotency-Key), the commit included; called in autocommit
-- it is one, and the caller has its answer only once the start is committed.
--
-- This function decides and records; sandbox-api (StartAdmission) builds the row's values, the
-- problem details and the rate-limit headers from what it returns:
--   NO_TEAM        the team does not exist (any more)
--   TEAM_DISABLED  the team is disabled
--   EARLIER        the Idempotency-Key belongs to an unexpired earlier start: earlier_sandbox_id and
--                  earlier_request_hash say which and with what body (sandbox-api tells a replay from a conflict)
--   QUOTA          live_count >= max_live: nothing recorded
--   RATE           window_count >= per_hour: nothing recorded
--   ADMITTED       the sandbox row, its first event and the Idempotency-Key (if any) are recorded
-- team_slug, max_live and per_hour are set for every outcome but NO_TEAM; live_count, window_count (starts
-- since p_window_start, the new one not included) and window_oldest for EARLIER, QUOTA, RATE and ADMITTED.
create function sandplane_admit_start(
    p_team_id uuid,
    p_now timestamptz,                   -- the row's created_at, updated_at, status_changed_at, last_activity_at; the event's at
    p_window_start timestamptz,          -- starts created after this count against the hourly limit
    p_idempotency_key varchar,           -- null: the start has none
    p_request_hash varchar,
    p_idempotency_expires_at timestamptz,
    p_sandbox_id varchar,
    p_provider varchar,
    p_snapshot_id varchar,
    p_preset_id varchar,
    p_template_version integer,
    p_status varchar,
    p_ttl_seconds integer,
    p_ttl_action varchar,
    p_expires_at timestamptz,
    p_idle_timeout_seconds integer,
    p_wake_on_http boolean,
    p_metadata jsonb,
    p_access_token_hash varchar,
    p_event_type varchar,
    p_event_actor varchar,
    p_event_detail text)
returns table (
    outcome varchar,
    team_slug varchar,
    max_live integer,
    per_hour integer,
    live_count bigint,
    window_count bigint,
    window_oldest timestamptz,
    earlier_sandbox_id varchar,
    earlier_request_hash varchar)
language plpgsql as $$
declare
    team teams%rowtype;
    earlier idempotency_keys%rowtype;
begin
    -- Serialises the admissions of one team across every replica until this statement commits.
    select * into team from teams t where t.id = p_team_id for no key update;
    if not found then
        outcome := 'NO_TEAM';
        return next;
        return;
    end if;
    team_slug := team.slug;
    max_live := team.max_live_sandboxes;
    per_hour := team.starts_per_hour;
    if team.disabled then
        outcome := 'TEAM_DISABLED';
        return next;
        return;
    end if;

    -- The live statuses are SandboxStatus.isLive(), as in the partial index sandboxes_team_live (V40).
    select count(*) into live_count from sandboxes s
        where s.team_id = p_team_id and s.status in ('PROVISIONING', 'RUNNING', 'PAUSED', 'STOPPED', 'DELETING');
    select count(*), min(s.created_at) into window_count, window_oldest from sandboxes s
        where s.team_id = p_team_id and s.created_at > p_window_start;

    if p_idempotency_key is not null then
        select * into earlier from idempotency_keys k where k.team_id = p_team_id and k.idem_key = p_idempotency_key;
        if found and earlier.expires_at > p_now then
            outcome := 'EARLIER';
            earlier_sandbox_id := earlier.sandbox_id;
            earlier_request_hash := earlier.request_hash;
            return next;
            return;
        end if;
        if found then
            -- Expired: the key is free again. By id, because a purge may have removed the row meanwhile.
            delete from idempotency_keys k where k.id = earlier.id;
        end if;
    end if;

    if live_count >= team.max_live_sandboxes then
        outcome := 'QUOTA';
        return next;
        return;
    end if;
    if window_count >= team.starts_per_hour then
        outcome := 'RATE';
        return next;
        return;
    end if;

    insert into sandboxes (id, team_id, provider, snapshot_id, preset_id, template_version, status, ttl_seconds,
                           ttl_action, expires_at, idle_timeout_seconds, last_activity_at, wake_on_http, metadata,
                           access_token_hash, created_at, updated_at, status_changed_at)
    values (p_sandbox_id, p_team_id, p_provider, p_snapshot_id, p_preset_id, p_template_version, p_status, p_ttl_seconds,
            p_ttl_action, p_expires_at, p_idle_timeout_seconds, p_now, p_wake_on_http, p_metadata,
            p_access_token_hash, p_now, p_now, p_now);
    insert into sandbox_events (sandbox_id, type, detail, actor, at)
    values (p_sandbox_id, p_event_type, p_event_detail, p_event_actor, p_now);
    if p_idempotency_key is not null then
        insert into idempotency_keys (team_id, idem_key, request_hash, sandbox_id, created_at, expires_at)
        values (p_team_id, p_idempotency_key, p_request_hash, p_sandbox_id, p_now, p_idempotency_expires_at);
    end if;
    outcome := 'ADMITTED';
    return next;
end;
$$;
