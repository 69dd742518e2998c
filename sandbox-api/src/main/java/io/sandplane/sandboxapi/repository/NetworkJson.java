package io.sandplane.sandboxapi.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandplane.model.network.EgressMode;
import io.sandplane.model.network.EgressRule;
import java.util.List;
import java.util.Set;

/**
 * The jsonb columns of network policies ({@code sandboxes.egress_allow}, {@code teams.egress_modes}) for the
 * plain-JDBC paths, in shared-model's JSON form: the one Hibernate reads and writes through the entities.
 */
final class NetworkJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<EgressRule>> RULES = new TypeReference<>() {
    };
    private static final TypeReference<Set<EgressMode>> MODES = new TypeReference<>() {
    };

    private NetworkJson() {
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a network policy that is not serialisable: " + value, e);
        }
    }

    static List<EgressRule> rules(String column, String json) {
        return read(column, json, RULES);
    }

    static Set<EgressMode> modes(String column, String json) {
        return read(column, json, MODES);
    }

    private static <T> T read(String column, String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(column + " holds what is not a network policy's JSON", e);
        }
    }
}
