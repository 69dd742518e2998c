package io.sandplane.reaper.it;

/** The shared dependencies of the process-level suites. */
final class World {

    private World() {
    }

    /** Until the provisioner can be started here, a closed port: passes fail, leadership still works. */
    static String provisionerUrl() {
        return "http://127.0.0.1:1";
    }
}
