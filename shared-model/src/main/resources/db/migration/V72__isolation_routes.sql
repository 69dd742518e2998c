-- The url-router does not route to a sandbox whose isolation audit found a problem (V71): recording or clearing one
-- must reach every router replica at once, like any other change to a route (V20).
drop trigger sandboxes_route_changed on sandboxes;

create trigger sandboxes_route_changed
    after update of status, vmid, ip, fqdn, wake_on_http, access_token_hash, isolation_problem on sandboxes
    for each row
    when (old.status is distinct from new.status
          or old.vmid is distinct from new.vmid
          or old.ip is distinct from new.ip
          or old.fqdn is distinct from new.fqdn
          or old.wake_on_http is distinct from new.wake_on_http
          or old.access_token_hash is distinct from new.access_token_hash
          or old.isolation_problem is distinct from new.isolation_problem)
    execute function sandplane_sandbox_route_changed();
