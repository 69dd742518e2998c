package io.sandplane.provisioner.provider;

import io.sandplane.model.problem.ProblemException;
import io.sandplane.model.provider.Provider;
import io.sandplane.provisioner.provider.pve.PveLxcProvider;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The providers this provisioner serves; the one place a {@link Provider} becomes an implementation. */
@ApplicationScoped
public class Providers {

    private final PveLxcProvider pveLxc;

    public Providers(PveLxcProvider pveLxc) {
        this.pveLxc = pveLxc;
    }

    public SandboxProvider of(Provider provider) {
        return switch (provider) {
            case PVE_LXC -> pveLxc;
            case PVE_VM, MORPH -> throw new ProblemException(422, "provider-unavailable", "Provider not available",
                    "provider " + provider.id() + " is not available on this provisioner (only pve-lxc is)");
        };
    }

    /** Every provider that is configured, for listings and health. */
    public List<SandboxProvider> all() {
        return List.of(pveLxc);
    }

    public SandboxProvider primary() {
        return pveLxc;
    }
}
