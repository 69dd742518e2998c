package io.sandplane.sandboxapi.config;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** Title and security schemes of the OpenAPI document (served at /q/openapi, Swagger UI at /q/swagger-ui). */
@OpenAPIDefinition(
        info = @Info(title = "Sandplane API", version = "1",
                description = "Sandboxes on Proxmox VE: lifecycle, exec, services, progress events, teams and keys."),
        components = @Components(securitySchemes = {
                @SecurityScheme(securitySchemeName = "teamKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "a team API key (spk_…)"),
                @SecurityScheme(securitySchemeName = "operatorToken", type = SecuritySchemeType.HTTP, scheme = "bearer",
                        description = "SANDPLANE_OPERATOR_TOKEN") }))
public class OpenApiDefinition extends Application {
}
