package io.sandplane.sandboxapi.service;

import io.sandplane.model.entity.Sandbox;

/** What admission decided for a start. */
public sealed interface Admission {

    RateWindow rate();

    /** A new sandbox row; {@code accessToken} is shown once, in the answer to this start. */
    record Admitted(Sandbox sandbox, String accessToken, RateWindow rate) implements Admission {
    }

    /** The same Idempotency-Key and body as an earlier start: that start's sandbox, nothing new. */
    record Replayed(String sandboxId, RateWindow rate) implements Admission {
    }
}
