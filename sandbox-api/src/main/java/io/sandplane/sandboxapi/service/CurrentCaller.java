package io.sandplane.sandboxapi.service;

import jakarta.enterprise.context.RequestScoped;

/** Holds the caller the authentication filter established for this request. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    public void set(Caller caller) {
        this.caller = caller;
    }

    public Caller get() {
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller on this request");
        }
        return caller;
    }
}
