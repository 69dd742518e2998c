package io.sandplane.model.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Where the next VMID search starts in a cluster; locking this row serialises allocation. */
@Entity
@Table(name = "vmid_cursors")
public class VmidCursor {

    @Id
    public String cluster;

    @Column(name = "next_vmid", nullable = false)
    public int nextVmid;
}
