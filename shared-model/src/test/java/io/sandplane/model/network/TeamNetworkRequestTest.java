package io.sandplane.model.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The operator's change of a team's network settings: either member, checked against the other. */
class TeamNetworkRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final TeamNetwork OPEN_DEFAULT = new TeamNetwork(new NetworkPolicy(EgressMode.OPEN, List.of()),
            EnumSet.allOf(EgressMode.class));

    private static Optional<TeamNetwork> apply(TeamNetwork current, String json, Map<String, String> errors) throws Exception {
        return JSON.readValue(json, TeamNetworkRequest.class).applyTo(current, errors::put);
    }

    @Test
    void theDefaultsOfEveryTeam() throws Exception {
        assertThat(JSON.writeValueAsString(TeamNetwork.DEFAULT)).isEqualTo(
                "{\"default\":{\"egress\":\"deny-private\",\"allow\":[]},\"allowedEgress\":[\"deny-private\",\"allow-list\"]}");
        assertThatThrownBy(() -> TeamNetwork.DEFAULT_ALLOWED.add(EgressMode.OPEN)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anAbsentMemberKeepsItsValue() throws Exception {
        Map<String, String> errors = new LinkedHashMap<>();
        TeamNetwork withOpen = apply(TeamNetwork.DEFAULT, "{\"allowedEgress\":[\"allow-list\",\"open\",\"deny-private\"]}",
                errors).orElseThrow();
        assertThat(withOpen.defaultPolicy()).isEqualTo(NetworkPolicy.DEFAULT);
        assertThat(withOpen.allowedEgress()).containsExactly(EgressMode.OPEN, EgressMode.DENY_PRIVATE, EgressMode.ALLOW_LIST);

        TeamNetwork listDefault = apply(TeamNetwork.DEFAULT,
                "{\"default\":{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"10.1.2.3\",\"ports\":\"5432\"}]}}", errors)
                .orElseThrow();
        assertThat(listDefault.allowedEgress()).isEqualTo(TeamNetwork.DEFAULT_ALLOWED);
        // The operator's default may reach private addresses: it is the operator's choice, not the team's request.
        assertThat(listDefault.defaultPolicy().permissionsNeeded()).contains(EgressMode.OPEN);

        TeamNetwork closed = apply(OPEN_DEFAULT,
                "{\"default\":{\"egress\":\"allow-list\",\"allow\":[]},\"allowedEgress\":[\"allow-list\"]}", errors).orElseThrow();
        assertThat(closed.allowedEgress()).containsExactly(EgressMode.ALLOW_LIST);
        assertThat(errors).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "nothing to change|{}|body",
            "both null|{\"default\":null,\"allowedEgress\":null}|body",
            "no mode allowed|{\"allowedEgress\":[]}|allowedEgress",
            "unknown mode|{\"allowedEgress\":[\"deny-private\",\"none\"]}|allowedEgress[1]",
            "mode null|{\"allowedEgress\":[null]}|allowedEgress[0]",
            "mode twice|{\"allowedEgress\":[\"deny-private\",\"deny-private\"]}|allowedEgress[1]",
            "default leaves the allowed modes|{\"default\":{\"egress\":\"open\"}}|default.egress",
            "allowed modes leave the default|{\"allowedEgress\":[\"allow-list\"]}|allowedEgress",
            "both, inconsistent|{\"default\":{\"egress\":\"deny-private\"},\"allowedEgress\":[\"open\"]}|default.egress",
            "default invalid|{\"default\":{\"egress\":\"allow-list\",\"allow\":[{\"cidr\":\"10.0.0.1/8\"}]}}|default.allow[0].cidr",
            "default without egress|{\"default\":{}}|default.egress" })
    void refusesWhatCannotBeATeamsSettings(String name, String json, String field) throws Exception {
        Map<String, String> errors = new LinkedHashMap<>();
        assertThat(apply(TeamNetwork.DEFAULT, json, errors)).as(name).isEmpty();
        assertThat(errors).as(name).containsKey(field);
    }

    @Test
    void theDefaultIsAlwaysAnAllowedMode() {
        assertThatThrownBy(() -> new TeamNetwork(NetworkPolicy.DEFAULT, EnumSet.of(EgressMode.OPEN)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
