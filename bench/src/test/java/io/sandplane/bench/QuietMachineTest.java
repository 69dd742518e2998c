package io.sandplane.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuietMachineTest {

    private final List<Duration> slept = new ArrayList<>();

    private QuietMachine.Wait await(double below, Duration max, Double... loads) throws InterruptedException {
        Iterator<Double> readings = List.of(loads).iterator();
        return QuietMachine.await(below, max, readings::next, slept::add);
    }

    @Test
    void aQuietMachineIsMeasuredAtOnce() throws InterruptedException {
        QuietMachine.Wait wait = await(1.0, Duration.ofMinutes(60), 0.4);

        assertThat(wait.quiet()).isTrue();
        assertThat(wait.took()).isZero();
        assertThat(slept).isEmpty();
    }

    @Test
    void pollsUntilTheLoadDrops() throws InterruptedException {
        QuietMachine.Wait wait = await(1.0, Duration.ofMinutes(60), 3.0, 1.5, 0.9);

        assertThat(wait.quiet()).isTrue();
        assertThat(wait.load()).isEqualTo(0.9);
        assertThat(wait.took()).isEqualTo(Duration.ofMinutes(4));
        assertThat(wait.describe()).startsWith("waited 4 min for the 1-minute load average to drop below 1.0; it was 0.90");
    }

    @Test
    void givesUpAtTheLimitAndSaysTheFiguresComeFromABusyMachine() throws InterruptedException {
        QuietMachine.Wait wait = await(1.0, Duration.ofMinutes(3), 5.0, 5.0, 4.0);

        assertThat(wait.quiet()).isFalse();
        assertThat(slept).containsExactly(Duration.ofMinutes(2), Duration.ofMinutes(1));
        assertThat(wait.describe()).contains("never became quiet").contains("still 4.00");
    }
}
