-- The url-router caches routes (vmid -> sandbox address, status, exposed ports) in memory. Every
-- change that can alter a route is announced on the 'sandplane_routes' channel with the affected
-- VMID as payload, so every router replica drops its cached entry at once (a deleted or paused
-- sandbox stops routing within milliseconds, not a TTL later). Activity timestamps, TTLs and other
-- columns that do not affect routing do not notify.

create function sandplane_notify_route_vmid(vmid integer) returns void language plpgsql as $$
begin
    if vmid is not null then
        perform pg_notify('sandplane_routes', vmid::text);
    end if;
end;
$$;

create function sandplane_sandbox_route_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform sandplane_notify_route_vmid(old.vmid);
        return old;
    end if;
    if tg_op = 'UPDATE' and old.vmid is distinct from new.vmid then
        perform sandplane_notify_route_vmid(old.vmid);
    end if;
    perform sandplane_notify_route_vmid(new.vmid);
    return new;
end;
$$;

create trigger sandboxes_route_changed
    after update of status, vmid, ip, fqdn, wake_on_http, access_token_hash on sandboxes
    for each row
    when (old.status is distinct from new.status
          or old.vmid is distinct from new.vmid
          or old.ip is distinct from new.ip
          or old.fqdn is distinct from new.fqdn
          or old.wake_on_http is distinct from new.wake_on_http
          or old.access_token_hash is distinct from new.access_token_hash)
    execute function sandplane_sandbox_route_changed();

create trigger sandboxes_route_deleted
    after delete on sandboxes
    for each row
    execute function sandplane_sandbox_route_changed();

create function sandplane_service_route_changed() returns trigger language plpgsql as $$
declare
    changed_sandbox varchar(40);
begin
    changed_sandbox := case when tg_op = 'DELETE' then old.sandbox_id else new.sandbox_id end;
    perform sandplane_notify_route_vmid((select vmid from sandboxes where id = changed_sandbox));
    if tg_op = 'UPDATE' and old.sandbox_id is distinct from new.sandbox_id then
        perform sandplane_notify_route_vmid((select vmid from sandboxes where id = old.sandbox_id));
    end if;
    return null;
end;
$$;

create trigger sandbox_services_route_changed
    after insert or update or delete on sandbox_services
    for each row
    execute function sandplane_service_route_changed();
