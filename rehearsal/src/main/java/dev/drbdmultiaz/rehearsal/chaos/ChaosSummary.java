package dev.drbdmultiaz.rehearsal.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bin/rehearse --chaos} ran and found (printed, and written to {@code --report}).
 *
 * @param nodes cluster size
 * @param timeScale the run's time scale
 * @param sequences sequences run (shrinking runs not counted)
 * @param faultsInjected faults that hit something
 * @param faultsSkipped faults that found nothing to hit, or were held back by the terminate guard
 * @param simultaneous pairs of faults injected at the same moment
 * @param acknowledgedWrites the application's acknowledged writes over all sequences
 * @param violations violations by invariant label, over all sequences ({@code stopped}: a sequence the
 *     rehearsal could not finish, with no violation recorded)
 * @param failing every seed that broke an invariant
 */
public record ChaosSummary(int nodes, double timeScale, int sequences, int faultsInjected, int faultsSkipped,
    int simultaneous, int acknowledgedWrites, Map<String, Integer> violations, List<FailingSeed> failing) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One seed that broke an invariant.
     *
     * @param seed the seed ({@code bin/rehearse --chaos --seed N --faults K} replays it)
     * @param plan its fault sequence
     * @param violations what broke, and when
     * @param shortest the shortest sub-sequence that still broke the same invariant
     * @param sandbox where the failing run's logs and node states were kept
     */
    public record FailingSeed(long seed, String plan, List<String> violations, String shortest, String sandbox) {
    }

    public int totalViolations() {
        return violations.values().stream().mapToInt(Integer::intValue).sum();
    }

    void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "chaos: %d sequences at %d nodes (time scale %s), %d faults injected (%d skipped,"
            + " %d pairs at once), %d writes acknowledged, %d violations%n", sequences, nodes, timeScale, faultsInjected,
            faultsSkipped, simultaneous, acknowledgedWrites, totalViolations());
        for (Invariant invariant : Invariant.values()) {
            out.printf(Locale.ROOT, "  %-15s %3d  %s%n", invariant.label(), violations.getOrDefault(invariant.label(), 0),
                invariant.statement());
        }
        if (violations.containsKey("stopped")) {
            out.printf(Locale.ROOT, "  %-15s %3d  the rehearsal itself stopped (see the failing seeds)%n", "stopped",
                violations.get("stopped"));
        }
        for (FailingSeed f : failing) {
            out.println("FAILED seed " + f.seed() + ": " + f.plan());
            f.violations().forEach(v -> out.println("  " + v));
            out.println("  shortest failing sequence: " + f.shortest());
            if (f.sandbox() != null) {
                out.println("  logs and node states: " + f.sandbox());
            }
        }
    }

    void write(Path file) {
        try {
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the chaos summary to " + file, e);
        }
    }
}
