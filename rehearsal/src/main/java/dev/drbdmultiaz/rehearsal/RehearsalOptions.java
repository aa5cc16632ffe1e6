package dev.drbdmultiaz.rehearsal;

import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.nio.file.Path;

/**
 * How to run a rehearsal.
 *
 * @param scenario the scenario
 * @param nodes cluster size (a fixed-size scenario always uses its default)
 * @param report where to write the JSON report, or {@code null}
 * @param timeScale multiplies the simulated node durations (install ~60 s, resync ~60 s) and the
 *     WaitForCommand poll (5 s in AWS); 1.0 is real time
 * @param verbose print every state entered
 * @param keepSandbox keep the sandbox (logs, node states) after a successful run
 * @param projectRoot the repository root
 * @param functionsJar the shaded functions jar the Lambda host runs
 * @param sandbox where to put the sandbox, or {@code null} for a new temporary directory
 */
public record RehearsalOptions(Scenario scenario, int nodes, Path report, double timeScale, boolean verbose,
    boolean keepSandbox, Path projectRoot, Path functionsJar, Path sandbox) {

    public static final double DEFAULT_TIME_SCALE = 0.05;

    public RehearsalOptions {
        if (nodes < 3 || nodes > 15 || nodes % 2 == 0) {
            throw new IllegalArgumentException("--nodes must be odd, 3..15 (quorum needs a majority), got " + nodes);
        }
        if (!(timeScale > 0) || timeScale > 10) {
            throw new IllegalArgumentException("--time-scale must be > 0 and <= 10, got " + timeScale);
        }
        if (timeScale < scenario.minimumTimeScale()) {
            throw new IllegalArgumentException("--time-scale " + timeScale + " is too small for scenario "
                + scenario.name() + ": it needs at least " + scenario.minimumTimeScale() + " (the deploy's hour"
                + " shrinks with the scale, the rehearsal's own latencies do not)");
        }
        projectRoot = projectRoot.toAbsolutePath().normalize();
    }

    /** The time scale as the one object every component converts AWS durations with. */
    public CompressedTime time() {
        return CompressedTime.of(timeScale);
    }

    /** Defaults for {@code scenario} in the project at {@code projectRoot}. */
    public static RehearsalOptions defaults(Scenario scenario, Path projectRoot) {
        Path root = projectRoot.toAbsolutePath().normalize();
        return new RehearsalOptions(scenario, scenario.defaultNodes(), null, DEFAULT_TIME_SCALE, false, false, root,
            defaultFunctionsJar(root), null);
    }

    /** {@code -Drehearsal.functionsJar}, else functions/target/functions.jar. */
    public static Path defaultFunctionsJar(Path projectRoot) {
        String property = System.getProperty("rehearsal.functionsJar");
        return property != null && !property.isBlank() ? Path.of(property)
            : projectRoot.resolve("functions/target/functions.jar");
    }

    /** The same options for another scenario (a chaos sequence); its node count is kept. */
    public RehearsalOptions withScenario(Scenario other) {
        return new RehearsalOptions(other, nodes, report, timeScale, verbose, keepSandbox, projectRoot, functionsJar, sandbox);
    }

    public RehearsalOptions withNodes(int count) {
        return new RehearsalOptions(scenario, count, report, timeScale, verbose, keepSandbox, projectRoot, functionsJar, sandbox);
    }

    public RehearsalOptions withTimeScale(double scale) {
        return new RehearsalOptions(scenario, nodes, report, scale, verbose, keepSandbox, projectRoot, functionsJar, sandbox);
    }

    public RehearsalOptions withReport(Path file) {
        return new RehearsalOptions(scenario, nodes, file, timeScale, verbose, keepSandbox, projectRoot, functionsJar, sandbox);
    }

    public RehearsalOptions withSandbox(Path dir, boolean keep) {
        return new RehearsalOptions(scenario, nodes, report, timeScale, verbose, keep, projectRoot, functionsJar, dir);
    }

    public RehearsalOptions withVerbose(boolean on) {
        return new RehearsalOptions(scenario, nodes, report, timeScale, on, keepSandbox, projectRoot, functionsJar, sandbox);
    }

    public RehearsalOptions withFunctionsJar(Path jar) {
        return new RehearsalOptions(scenario, nodes, report, timeScale, verbose, keepSandbox, projectRoot, jar, sandbox);
    }
}
