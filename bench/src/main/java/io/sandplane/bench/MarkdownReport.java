package io.sandplane.bench;

import io.sandplane.devsupport.ProjectLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scenario's report, {@code bench/results/<name>.md}: headings, paragraphs and tables whose figures
 * are medians with min and max ({@link Stats#format}), which {@link ReportScenario} reads back.
 */
final class MarkdownReport {

    private final StringBuilder md = new StringBuilder();

    /** Where a scenario's report lives. */
    static Path results(String name) {
        return ProjectLayout.root().resolve("bench/results/" + name + ".md");
    }

    MarkdownReport title(String title) {
        md.append("# ").append(title).append("\n\n");
        return this;
    }

    MarkdownReport section(String heading) {
        md.append("## ").append(heading).append("\n\n");
        return this;
    }

    /** A paragraph formatted with {@link Locale#ROOT} (decimal points, whatever the machine's locale). */
    MarkdownReport paragraph(String format, Object... args) {
        md.append(String.format(Locale.ROOT, format, args).strip()).append("\n\n");
        return this;
    }

    /** Text as it is (a block the scenario laid out itself), followed by a blank line. */
    MarkdownReport text(String block) {
        md.append(block.strip()).append("\n\n");
        return this;
    }

    Table table(String... headers) {
        return new Table(List.of(headers));
    }

    /** A table being filled; {@link #end()} appends it to the report. */
    final class Table {
        private final List<String> headers;
        private final List<List<String>> rows = new ArrayList<>();

        private Table(List<String> headers) {
            this.headers = headers;
        }

        Table row(Object... cells) {
            if (cells.length != headers.size()) {
                throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns: " + List.of(cells));
            }
            List<String> row = new ArrayList<>();
            for (Object c : cells) {
                row.add(String.valueOf(c));
            }
            rows.add(row);
            return this;
        }

        MarkdownReport end() {
            md.append(line(headers));
            md.append("|").append("---|".repeat(headers.size())).append('\n');
            rows.forEach(r -> md.append(line(r)));
            md.append('\n');
            return MarkdownReport.this;
        }

        private static String line(List<String> cells) {
            return "| " + String.join(" | ", cells) + " |\n";
        }
    }

    String render() {
        return md.toString().stripTrailing() + "\n";
    }

    /** Writes {@code bench/results/<name>.md} and prints it: the console shows what the file holds. */
    Path write(String name) throws IOException {
        Path out = results(name);
        Files.createDirectories(out.getParent());
        Files.writeString(out, render());
        System.out.println(render());
        System.out.println("written to " + out);
        return out;
    }

    /**
     * Replaces the section under {@code heading} (up to the end of the file) in an existing report, or
     * appends it: for a scenario whose parts can run alone and each refresh their own part.
     */
    static Path replaceSection(String name, String fallbackTitle, String heading, MarkdownReport section) throws IOException {
        Path out = results(name);
        String before = Files.exists(out) ? Files.readString(out) : "# " + fallbackTitle + "\n";
        Files.writeString(out, withSection(before, heading, section.render()));
        System.out.println(section.render());
        System.out.println("written to " + out);
        return out;
    }

    /** {@code report} with everything from the line {@code heading} on replaced by {@code section} (which starts with it). */
    static String withSection(String report, String heading, String section) {
        int previous = report.indexOf("\n" + heading + "\n");
        String kept = (previous < 0 ? report : report.substring(0, previous)).stripTrailing() + "\n";
        return kept + "\n" + section;
    }
}
