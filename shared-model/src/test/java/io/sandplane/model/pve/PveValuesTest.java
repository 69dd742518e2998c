package io.sandplane.model.pve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PveValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"cmux-200", "a", "A1", "host.lan", "a-b.c-d.e", "1abc", "abc1.2"})
    void acceptsDnsNames(String hostname) {
        assertThat(PveValues.requireHostname(hostname)).isEqualTo(hostname);
    }

    @Test
    void acceptsTheLongestHostnamePveAllows() {
        String longest = "x".repeat(255);
        assertThat(PveValues.requireHostname(longest)).isEqualTo(longest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-a", "a-", "a_b", "a.", ".a", "a..b", "a b", "ä", "a/b", "cmux-200.lan.", "a.-b"})
    void rejectsWhatPveRejects(String hostname) {
        assertThatThrownBy(() -> PveValues.requireHostname(hostname))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("does not look like a valid DNS name");
    }

    @Test
    void hostnameLengthAndPresence() {
        assertThatThrownBy(() -> PveValues.requireHostname("x".repeat(256))).hasMessageContaining("255");
        assertThatThrownBy(() -> PveValues.requireHostname("")).hasMessageContaining("required");
        assertThatThrownBy(() -> PveValues.requireHostname(null)).hasMessageContaining("required");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sandplane", "sbx_abc", "team-a", "_x", "a+b", "a.b", "UPPER", "9"})
    void acceptsTags(String tag) {
        assertThat(PveValues.requireTag(tag)).isEqualTo(tag);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-a", "+a", ".a", "a b", "a;b", "a,b", "ä", "a/b", "a:b", "a=b"})
    void rejectsInvalidTags(String tag) {
        assertThatThrownBy(() -> PveValues.requireTag(tag)).hasMessageContaining("invalid characters in tag");
    }

    @Test
    void normalizesTagsAsPveStoresThem() {
        assertThat(PveValues.normalizeTags(List.of("b", "A", "a"))).isEqualTo("a;b");
        assertThat(PveValues.normalizeTags(List.of("sandplane", "team-x", "sbx_zz"))).isEqualTo("sandplane;sbx_zz;team-x");
        assertThat(PveValues.splitTags("b,A a;c")).containsExactly("b", "A", "a", "c");
        assertThat(PveValues.splitTags("  ")).isEmpty();
        assertThat(PveValues.splitTags(null)).isEmpty();
    }

    @Test
    void descriptionIsBounded() {
        assertThat(PveValues.requireDescription("x".repeat(8192))).hasSize(8192);
        assertThatThrownBy(() -> PveValues.requireDescription("x".repeat(8193))).hasMessageContaining("8192");
        assertThat(PveValues.requireDescription(null)).isEmpty();
    }

    @Test
    void vmidsFollowPveVmid() {
        assertThat(PveValues.isVmid(100)).isTrue();
        assertThat(PveValues.isVmid(999_999_999)).isTrue();
        assertThat(PveValues.isVmid(99)).isFalse();
        assertThat(PveValues.isVmid(1_000_000_000L)).isFalse();
        assertThat(PveValues.parseVmid("vmid", "200")).isEqualTo(200);
        for (String bad : new String[] {"0200", "99", "1000000000", "-200", "2e2", "", null}) {
            assertThatThrownBy(() -> PveValues.parseVmid("vmid", bad)).as(String.valueOf(bad))
                    .isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void nodeNamesAreSingleLabels() {
        assertThat(PveValues.requireNode("pve1")).isEqualTo("pve1");
        for (String bad : new String[] {"pve.lan", "-pve", "", "a".repeat(64), "pve 1"}) {
            assertThatThrownBy(() -> PveValues.requireNode(bad)).isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void guestTagsRoundTripThroughPveNormalisation() {
        String stored = PveValues.normalizeTags(GuestTags.forSandbox("sbx_abcdefghijklmnopqrst", "acme"));
        GuestTags parsed = GuestTags.parse(stored);
        assertThat(parsed.managed()).isTrue();
        assertThat(parsed.sandboxId()).contains("sbx_abcdefghijklmnopqrst");
        assertThat(parsed.teamSlug()).contains("acme");
    }

    @Test
    void untaggedOrForeignGuestsAreNotManaged() {
        assertThat(GuestTags.parse(null).managed()).isFalse();
        assertThat(GuestTags.parse("").managed()).isFalse();
        assertThat(GuestTags.parse("sandplanex;prod").managed()).isFalse();
        assertThat(GuestTags.parse("SANDPLANE").managed()).isTrue();
        assertThat(GuestTags.parse("sandplane").sandboxId()).isEmpty();
        assertThat(GuestTags.parse("sandplane,sbx_short").sandboxId()).isEmpty();
    }
}
