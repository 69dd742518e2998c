package io.sandplane.devsupport.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sandplane.devsupport.guard.PathSpellings.Spelling;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PathSpellingsTest {

    @Test
    void thePathAsWrittenComesFirstAndNoTargetTwice() {
        List<Spelling> spellings = PathSpellings.of("/internal/guests");

        assertThat(spellings.getFirst()).isEqualTo(new Spelling("as written", "/internal/guests"));
        assertThat(spellings.getFirst().asWritten()).isTrue();
        assertThat(spellings.stream().skip(1).noneMatch(Spelling::asWritten)).isTrue();
        assertThat(spellings).extracting(Spelling::target).doesNotHaveDuplicates();
    }

    @Test
    void coversTheKnownWaysAroundAPrefixCheck() {
        assertThat(PathSpellings.of("/internal/guests")).extracting(Spelling::target).contains(
                "/%69nternal/guests", "/%69%6e%74%65%72%6e%61%6c/guests", "/%2569nternal/guests",
                "/%2Finternal/guests", "%2finternal/guests", "/internal%2Fguests", "/internal%2fguests",
                "//internal/guests", "/internal//guests", "/./internal/guests", "/x/../internal/guests",
                "/%2e/internal/guests", "/x/%2e%2e/internal/guests",
                "/internal;x=y/guests", "/internal;/guests", "/internal/guests;", "/internal/guests;x=y",
                "/INTERNAL/guests", "/Internal/guests", "/internal./guests", "/internal/guests.",
                "/internal\\guests", "\\internal\\guests", "/internal%5Cguests", "/internal%C0%AFguests",
                "http://127.0.0.1/%69nternal/guests", "/internal/guests?x=y", "/internal/guests/");
    }

    @Test
    void everyTargetFitsOnARequestLine() {
        assertThat(PathSpellings.of("/api/sandboxes/sbx_1/services/vscode")).extracting(Spelling::target)
                .allSatisfy(t -> assertThat(t).doesNotContain(" ", "\r", "\n").isNotEmpty());
    }

    @Test
    void parameterValuesAreNotSpeltOtherwise() {
        List<String> targets = PathSpellings.of("/internal/sandboxes/abc/exec", Set.of(2)).stream()
                .map(Spelling::target).toList();

        assertThat(targets).contains("/internal/sandboxes/abc/%65xec", "/%69nternal/sandboxes/abc/exec")
                .noneMatch(t -> t.equals("/internal/sandboxes/ABC/exec") || t.contains("%61bc") || t.contains("abc;")
                        || t.contains("abc."));
    }

    @Test
    void onlyAnAbsolutePathWithoutQueryIsSpelt() {
        assertThatThrownBy(() -> PathSpellings.of("internal/guests")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathSpellings.of("/internal/guests?x=1")).isInstanceOf(IllegalArgumentException.class);
    }
}
