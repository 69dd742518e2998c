-- sandbox-api lookups (migration range V40-V49).

-- Concurrent-sandbox quota: count a team's live sandboxes without scanning its history.
create index sandboxes_team_live on sandboxes (team_id, status)
    where status in ('PROVISIONING', 'RUNNING', 'PAUSED', 'STOPPED', 'DELETING');

-- Listing filtered by metadata labels (metadata @> '{"k":"v"}').
create index sandboxes_metadata on sandboxes using gin (metadata jsonb_path_ops);
