package io.sandplane.model.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.model.InvalidValueException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PortsTest {

    @Test
    void portsRangesAndListsInTheOrderGiven() {
        Ports ports = Ports.parse("ports", "443,80,8000-9000");
        assertThat(ports).hasToString("443,80,8000-9000");
        assertThat(ports.pveSpelling()).isEqualTo("443,80,8000:9000");
        assertThat(ports.ranges()).containsExactly(new Ports.Range(443, 443), new Ports.Range(80, 80),
                new Ports.Range(8000, 9000));
        assertThat(ports.contains(8500)).isTrue();
        assertThat(ports.contains(9001)).isFalse();
        assertThat(Ports.parse("p", "1-65535").contains(65535)).isTrue();
        assertThat(Ports.parse("p", "443")).isEqualTo(Ports.parse("p", "443"));
    }

    @Test
    void atMostFifteenNumbersARangeCountingTwoAsPveTakesInOneRule() {
        String fifteen = IntStream.rangeClosed(1, 15).mapToObj(Integer::toString).collect(Collectors.joining(","));
        assertThat(Ports.parse("p", fifteen).ranges()).hasSize(15);
        assertThatThrownBy(() -> Ports.parse("p", fifteen + ",16")).hasMessageContaining("has 16 numbers");
        String sevenRangesAndOne = IntStream.range(0, 7).mapToObj(i -> (100 * i + 1) + "-" + (100 * i + 2))
                .collect(Collectors.joining(",")) + ",9000";
        assertThat(Ports.parse("p", sevenRangesAndOne).ranges()).hasSize(8);
        assertThatThrownBy(() -> Ports.parse("p", sevenRangesAndOne + "-9001")).hasMessageContaining("has 16 numbers");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "0|ports 1-65535",
            "65536|ports 1-65535",
            "080|leading zeros",
            "+80|ports 1-65535",
            "1e3|ports 1-65535",
            "http|ports 1-65535",
            "'80 '|ports 1-65535",
            "80, 443|ports 1-65535",
            "\uff18\uff10|ports 1-65535",
            "80,|an empty entry",
            ",80|an empty entry",
            "80,,443|an empty entry",
            "9000-8000|goes down; write 8000-9000",
            "80-80|of one port; write it as 80",
            "80-|ports 1-65535",
            "-80|ports 1-65535",
            "1-2-3|ports 1-65535",
            "80,80|lists 80 twice",
            "80,70-90|lists 80 and 70-90, which overlap" })
    void refusesAnythingElseSayingWhy(String text, String why) {
        assertThatThrownBy(() -> Ports.parse("network.allow[0].ports", text))
                .isInstanceOfSatisfying(InvalidValueException.class,
                        e -> assertThat(e.field()).isEqualTo("network.allow[0].ports"))
                .hasMessageContaining(why);
    }

    @Test
    void refusesEmptyAndOverlongLists() {
        assertThatThrownBy(() -> Ports.parse("p", "")).hasMessageContaining("leave it out to allow every port");
        assertThatThrownBy(() -> Ports.parse("p", null)).hasMessageContaining("leave it out");
        assertThatThrownBy(() -> Ports.parse("p", "1,".repeat(150))).hasMessageContaining("too long");
    }
}
