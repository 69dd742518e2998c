package io.sandplane.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    @Test
    void rendersTitleParagraphAndTable() {
        String md = new MarkdownReport().title("Reaper benchmark")
                .paragraph("One pass over %d rows, %.1f s.", 10_000, 0.5)
                .table("measure", "median (min, max)")
                .row("pass duration", new Stats(628, 484, 893, 9).format("%.0f ms"))
                .end()
                .render();

        assertThat(md).isEqualTo("""
                # Reaper benchmark

                One pass over 10000 rows, 0.5 s.

                | measure | median (min, max) |
                |---|---|
                | pass duration | 628 ms (min 484 ms, max 893 ms, n=9) |
                """);
    }

    @Test
    void aRowMustFillEveryColumn() {
        assertThatThrownBy(() -> new MarkdownReport().table("a", "b").row("only one"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theReportReadsBackWhatTheWriterWrote() {
        String md = new MarkdownReport().section("Memory under load")
                .table("process", "idle RSS (MB)", "peak RSS under load (MB)")
                .row("url-router", new Stats(223, 220, 230, 5).format("%.0f"), new Stats(277.5, 260, 301, 5).format("%.0f"))
                .end()
                .render();

        List<String> cells = ReportScenario.Markdown.row(ReportScenario.Markdown.section(md, "Memory under load").orElseThrow(),
                "^\\| url-router \\|").orElseThrow();

        assertThat(ReportScenario.Markdown.stats(cells, 1)).contains(new Stats(223, 220, 230, 5));
        assertThat(ReportScenario.Markdown.stats(cells, 2)).contains(new Stats(278, 260, 301, 5));
    }

    @Test
    void aSectionReplacesThePreviousRunsAndKeepsWhatCameBefore() {
        String before = "# sandbox-api benchmark\n\nreads\n\n## Waiting starts\n\nold figures\n";

        String after = MarkdownReport.withSection(before, "## Waiting starts", "## Waiting starts\n\nnew figures\n");

        assertThat(after).isEqualTo("# sandbox-api benchmark\n\nreads\n\n## Waiting starts\n\nnew figures\n");
    }

    @Test
    void aSectionIsAppendedWhenThereWasNone() {
        String after = MarkdownReport.withSection("# sandbox-api benchmark\n", "## Waiting starts", "## Waiting starts\n\nfigures\n");

        assertThat(after).isEqualTo("# sandbox-api benchmark\n\n## Waiting starts\n\nfigures\n");
    }
}
