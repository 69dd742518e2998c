-- Guests the reaper has seen without an owning sandbox, and since when. A guest is deleted only once
-- it has been seen unowned for the whole grace period; keeping the first sighting here (not in
-- memory) makes that hold across reaper restarts and leader changes.
create table reaper_orphan_sightings (
    node          varchar(63) not null,
    vmid          integer     not null check (vmid between 100 and 999999999),
    -- The guest's sbx_ tag when it has one: a different guest on the same VMID starts a new sighting.
    sandbox_id    varchar(40),
    first_seen_at timestamptz not null,
    primary key (node, vmid)
);
