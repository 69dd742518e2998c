package io.sandplane.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddNumberIsTheMiddleSample() {
        Stats s = Stats.of(List.of(5.0, 1.0, 3.0));

        assertThat(s).isEqualTo(new Stats(3.0, 1.0, 5.0, 3));
    }

    @Test
    void medianOfAnEvenNumberIsTheMeanOfTheMiddleTwo() {
        assertThat(Stats.of(List.of(4.0, 1.0, 2.0, 10.0)).median()).isEqualTo(3.0);
    }

    @Test
    void noSamplesIsAnError() {
        assertThatThrownBy(() -> Stats.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void percentileIsNearestRank() {
        List<Double> samples = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);

        assertThat(Stats.percentile(samples, 50)).isEqualTo(5.0);
        assertThat(Stats.percentile(samples, 99)).isEqualTo(10.0);
        assertThat(Stats.percentile(samples, 0)).isEqualTo(1.0);
    }

    @Test
    void formatGivesMedianMinMaxAndRunsWithADecimalPoint() {
        assertThat(new Stats(12.345, 11, 15.25, 5).format("%.1f")).isEqualTo("12.3 (min 11.0, max 15.3, n=5)");
    }
}
