package dev.drbdmultiaz.rehearsal.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.rehearsal.RehearsalOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A small fixed set of chaos seeds, run as bin/rehearse --chaos runs them (README "Chaos runs"
 * gives the long runs): every invariant must hold under every sequence. A seed that fails here
 * prints its fault sequence and the invariant that broke; replay it with
 * {@code bin/rehearse --chaos --seed N --faults K}.
 */
@DisplayName("Chaos rehearsal")
@Execution(ExecutionMode.CONCURRENT)
class ChaosRehearsalTest {

    static final int FAULTS = 4;
    /** The default scale: lifecycle hooks of 120 real seconds, so a loaded CI machine is no fault of its own. */
    private static final double TIME_SCALE = RehearsalOptions.DEFAULT_TIME_SCALE;
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path LOGS = Path.of(System.getProperty("rehearsal.logDir", "target/rehearsal"));

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {2})
    @DisplayName("fixed seeds: every invariant holds, the application's writes were acknowledged and checked")
    void fixedSeedsBreakNoInvariant(long seed) throws IOException {
        Files.createDirectories(LOGS);
        RehearsalOptions base = RehearsalOptions.defaults(ChaosSequence.of(FaultPlan.draw(seed, FAULTS)), ROOT)
            .withTimeScale(TIME_SCALE);
        Path log = LOGS.resolve("chaos-seed-" + seed + ".log");
        ChaosSummary summary;
        try (PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
            summary = ChaosCommand.run(new ChaosCommand.Options(base, seed, FAULTS, 1, false,
                LOGS.resolve("chaos-seed-" + seed + ".json")), out);
        }
        System.out.printf("chaos: %d sequences, %d faults injected (%d skipped), %d writes acknowledged, %d violations;"
            + " log %s%n", summary.sequences(), summary.faultsInjected(), summary.faultsSkipped(),
            summary.acknowledgedWrites(), summary.totalViolations(), log);
        assertEquals(0, summary.totalViolations(), summary.failing() + "; see " + log.toAbsolutePath());
        assertEquals(1, summary.sequences());
        assertTrue(summary.faultsInjected() >= FAULTS / 2, "most faults must hit something: " + summary);
        assertTrue(summary.acknowledgedWrites() > 0, "the application must have written: " + summary);
    }
}
