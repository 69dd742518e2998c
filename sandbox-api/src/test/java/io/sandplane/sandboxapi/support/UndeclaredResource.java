package io.sandplane.sandboxapi.support;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * A resource that forgot to say which credential it takes, present only in the test application:
 * the auth filter must close it to everyone (AccessDeclarationTest).
 */
@Path("/api/test-only/undeclared")
public class UndeclaredResource {

    public static final String ANSWER = "reached an endpoint that declares no credential";

    @GET
    @Operation(hidden = true)
    public String get() {
        return ANSWER;
    }
}
