-- Isolation audit (issue 16): what the reaper last found when it checked a sandbox's guest against its isolation
-- (PVE's firewall switched on at every level that gates it, the guest's address inside the sandbox network). The
-- url-router does not route to a sandbox with a problem recorded; the next audit that finds it isolated clears it.
alter table sandboxes
    add column isolation_problem    text,
    add column isolation_checked_at timestamptz;

-- The reaper audits the running sandboxes checked longest ago first, a bounded number per pass.
create index sandboxes_isolation_audit on sandboxes (isolation_checked_at nulls first) where status = 'RUNNING';
