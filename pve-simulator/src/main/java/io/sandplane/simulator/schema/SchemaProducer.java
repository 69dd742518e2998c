package io.sandplane.simulator.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one parsed copy of PVE's schema, shared by the router (validation) and the operations (option names). */
public class SchemaProducer {

    @Produces
    @Singleton
    ApiSchema schema(ObjectMapper mapper) {
        return ApiSchema.load(mapper);
    }
}
