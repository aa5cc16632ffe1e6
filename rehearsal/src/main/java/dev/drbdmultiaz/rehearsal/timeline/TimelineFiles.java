package dev.drbdmultiaz.rehearsal.timeline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run's timelines go: next to its report, one SVG per execution,
 * {@code <report name without .json>.timeline.<execution name>.svg}.
 */
public final class TimelineFiles {

    private TimelineFiles() {
    }

    /** The file of {@code execution}'s timeline for the report {@code report}. */
    public static Path of(Path report, String execution) {
        String name = report.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return report.resolveSibling(stem + ".timeline." + execution + ".svg");
    }

    /**
     * Writes every timeline next to {@code report}, after deleting those an earlier run with the
     * same report name left there; returns the files, in the timelines' order.
     */
    public static List<Path> write(Path report, List<Timeline> timelines) {
        deleteEarlier(report);
        List<Path> files = new ArrayList<>();
        for (Timeline timeline : timelines) {
            Path file = of(report, timeline.execution());
            try {
                Path parent = file.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(file, TimelineSvg.render(timeline), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write the timeline " + file, e);
            }
            files.add(file);
        }
        return files;
    }

    private static void deleteEarlier(Path report) {
        Path dir = report.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        String prefix = of(report, "").getFileName().toString().replaceFirst("\\.svg$", "");
        try (DirectoryStream<Path> earlier = Files.newDirectoryStream(dir,
            p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".svg"))) {
            for (Path file : earlier) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the earlier timelines in " + dir, e);
        }
    }
}
