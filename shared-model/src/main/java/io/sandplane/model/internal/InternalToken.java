package io.sandplane.model.internal;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The shared secret services present to each other's {@code /internal} endpoints
 * ({@code SANDPLANE_INTERNAL_TOKEN}). Start-up fails with a clear message when it is missing or weak.
 */
@ApplicationScoped
@Startup
public class InternalToken {

    public static final String HEADER = "X-Sandplane-Internal-Token";
    public static final String ENV = "SANDPLANE_INTERNAL_TOKEN";
    static final int MIN_LENGTH = 16;

    private final byte[] token;

    public InternalToken(@ConfigProperty(name = "sandplane.internal-token") Optional<String> configured) {
        String value = configured.map(String::trim).orElse("");
        if (value.isEmpty()) {
            throw new IllegalStateException(ENV + " is not set: every Sandplane service needs the same internal token "
                    + "(a random string of at least " + MIN_LENGTH + " characters) to call the others");
        }
        if (value.length() < MIN_LENGTH) {
            throw new IllegalStateException(ENV + " is too short: use at least " + MIN_LENGTH + " random characters");
        }
        this.token = value.getBytes(StandardCharsets.UTF_8);
    }

    public String value() {
        return new String(token, StandardCharsets.UTF_8);
    }

    /** Constant-time comparison, so response timing does not reveal how much of a guess was right. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
