package io.sandplane.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchArgsTest {

    @Test
    void readsOptionsFlagsAndFallbacks() {
        BenchArgs args = BenchArgs.of("--runs", "2", "--jfr", "--only", "reads");

        assertThat(args.integer("--runs", 5)).isEqualTo(2);
        assertThat(args.integer("--seconds", 10)).isEqualTo(10);
        assertThat(args.string("--only", "all")).isEqualTo("reads");
        assertThat(args.has("--jfr")).isTrue();
    }

    @Test
    void positionalNumbersAreTheWordsBeforeTheFirstOption() {
        BenchArgs args = BenchArgs.of("2", "30", "--warm-up", "50");

        assertThat(args.positional(0, 5)).isEqualTo(2);
        assertThat(args.positional(1, 100)).isEqualTo(30);
        assertThat(args.positional(2, 3)).isEqualTo(3);
    }
}
