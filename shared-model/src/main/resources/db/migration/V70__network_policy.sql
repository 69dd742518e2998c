-- Network policy (issue 16; migration range V70-V79): what each sandbox may reach outbound, and each team's
-- defaults, set by the operator. The rules (CIDRs, ports, which destinations are private) are checked once, in
-- shared-model (io.sandplane.model.network), before anything is written; these constraints only keep the shape.
--
-- The mode is a typed column: a closed set the database can check, compare with the team's allowed modes at
-- admission, and that operators can query ("which sandboxes run open?"). The allow list is jsonb: a bounded list
-- that is written once with the row and always read whole, never queried entry by entry; a child table would
-- add a join to every read of a sandbox for nothing. Modes are spelt as in the API and in the JSON columns
-- beside them ('deny-private'), so SQL compares like with like.

-- Every existing team gets what a new one gets: deny-private by default, and deny-private or allow-list on request.
alter table teams
    add column egress_default       varchar(16) not null default 'deny-private',
    add column egress_default_allow jsonb       not null default '[]'::jsonb,
    add column egress_modes         jsonb       not null default '["deny-private", "allow-list"]'::jsonb,
    add constraint teams_egress_default check (egress_default in ('open', 'deny-private', 'allow-list')),
    add constraint teams_egress_default_allow check (jsonb_typeof(egress_default_allow) = 'array'
        and (egress_default = 'allow-list' or egress_default_allow = '[]'::jsonb)),
    -- A non-empty subset of the modes that contains the default (an array contains a string it has as an element).
    add constraint teams_egress_modes check (jsonb_typeof(egress_modes) = 'array'
        and egress_modes <@ '["open", "deny-private", "allow-list"]'::jsonb
        and egress_modes @> to_jsonb(egress_default));

-- Existing sandboxes get the default policy, as they would have had they started now; it takes effect when the
-- provisioner applies policies to guests.
alter table sandboxes
    add column egress       varchar(16) not null default 'deny-private',
    add column egress_allow jsonb       not null default '[]'::jsonb,
    add constraint sandboxes_egress check (egress in ('open', 'deny-private', 'allow-list')),
    add constraint sandboxes_egress_allow check (jsonb_typeof(egress_allow) = 'array'
        and (egress = 'allow-list' or egress_allow = '[]'::jsonb));

-- Admission (V60) with the start's network policy. New parameters:
--   p_egress        the requested mode, or null for the team's default policy (then p_egress_allow is ignored)
--   p_egress_allow  the requested allow list (jsonb array)
--   p_egress_needs  the modes the team must be allowed for the request (jsonb array: the mode, plus 'open' when an
--                   allow-list entry reaches private addresses; NetworkPolicy.permissionsNeeded computes it)
-- New outcome, checked after an earlier start with the same Idempotency-Key and before the quota and the rate:
--   EGRESS_NOT_ALLOWED  the team may not use what was asked for: nothing recorded
-- New result columns: admitted_egress and admitted_egress_allow (ADMITTED: the policy recorded on the row, the
-- team's default if none was asked for), team_egress_modes (every outcome but NO_TEAM).
create function sandplane_admit_start(
    p_team_id uuid,
    p_now timestamptz,
    p_window_start timestamptz,
    p_idempotency_key varchar,
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
    p_event_detail text,
    p_egress varchar,
    p_egress_allow jsonb,
    p_egress_needs jsonb)
returns table (
    outcome varchar,
    team_slug varchar,
    max_live integer,
    per_hour integer,
    live_count bigint,
    window_count bigint,
    window_oldest timestamptz,
    earlier_sandbox_id varchar,
    earlier_request_hash varchar,
    admitted_egress varchar,
    admitted_egress_allow jsonb,
    team_egress_modes jsonb)
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
    team_egress_modes := team.egress_modes;
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

    if p_egress is null then
        admitted_egress := team.egress_default;
        admitted_egress_allow := team.egress_default_allow;
    -- Fails closed: without p_egress_needs the containment is null, and nothing is admitted.
    elsif not coalesce(team.egress_modes @> p_egress_needs, false) then
        outcome := 'EGRESS_NOT_ALLOWED';
        return next;
        return;
    else
        admitted_egress := p_egress;
        admitted_egress_allow := p_egress_allow;
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
                           access_token_hash, egress, egress_allow, created_at, updated_at, status_changed_at)
    values (p_sandbox_id, p_team_id, p_provider, p_snapshot_id, p_preset_id, p_template_version, p_status, p_ttl_seconds,
            p_ttl_action, p_expires_at, p_idle_timeout_seconds, p_now, p_wake_on_http, p_metadata,
            p_access_token_hash, admitted_egress, admitted_egress_allow, p_now, p_now, p_now);
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

-- V60's signature stays for sandbox-api replicas of before this migration while a rolling upgrade replaces them:
-- their starts name no policy, so they get the team's default, checked and recorded by the function above. Drop
-- it in a later migration, once no such replica can be running.
create or replace function sandplane_admit_start(
    p_team_id uuid,
    p_now timestamptz,
    p_window_start timestamptz,
    p_idempotency_key varchar,
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
language sql as $$
    select a.outcome, a.team_slug, a.max_live, a.per_hour, a.live_count, a.window_count, a.window_oldest,
           a.earlier_sandbox_id, a.earlier_request_hash
    from sandplane_admit_start(p_team_id, p_now, p_window_start, p_idempotency_key, p_request_hash,
                               p_idempotency_expires_at, p_sandbox_id, p_provider, p_snapshot_id, p_preset_id,
                               p_template_version, p_status, p_ttl_seconds, p_ttl_action, p_expires_at,
                               p_idle_timeout_seconds, p_wake_on_http, p_metadata, p_access_token_hash, p_event_type,
                               p_event_actor, p_event_detail, null::varchar, null::jsonb, null::jsonb) a
$$;
