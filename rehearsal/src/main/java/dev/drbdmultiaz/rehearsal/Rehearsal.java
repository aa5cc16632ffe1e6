package dev.drbdmultiaz.rehearsal;

import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.chaos.ChaosCommand;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.scenarios.Scenarios;
import dev.drbdmultiaz.rehearsal.timeline.Timeline;
import dev.drbdmultiaz.rehearsal.timeline.TimelineFiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rehearsal's command line (bin/rehearse) and its API for the scenario tests: runs one
 * scenario of the reconcile workflow on emulated AWS and simulated nodes, prints progress as it
 * happens and the cluster table at the end, writes the JSON report (and next to it one timeline
 * SVG per execution, see {@link TimelineFiles}), and stops everything it started, also on failure
 * and on Ctrl-C.
 *
 * <pre>
 * bin/rehearse [--scenario NAME] [--nodes N] [--report FILE] [--time-scale X] [--verbose] [--keep-sandbox]
 * </pre>
 */
public final class Rehearsal {

    private Rehearsal() {
    }

    /**
     * The outcome of a run, read before anything was stopped.
     *
     * @param report the report (also written to {@code --report})
     * @param snapshots every node's final state, by instance id (terminated nodes included)
     * @param roles the instances the scenario named (node0.., faulty, replaced, replacement, rebooted)
     * @param commands every SSM command the nodes received
     * @param completions every lifecycle action completed
     */
    public record Result(RehearsalReport report, Map<String, NodeSnapshot> snapshots, Map<String, String> roles,
        List<CommandRecord> commands, List<LifecycleModel.Completion> completions) {

        public NodeSnapshot node(String role) {
            String id = roles.get(role);
            if (id == null) {
                throw new IllegalArgumentException("No instance has role " + role + "; roles: " + roles);
            }
            return snapshots.get(id);
        }
    }

    /** Runs {@code options.scenario()} and returns its result; never throws for a scenario that failed. */
    public static Result run(RehearsalOptions options, PrintStream out) {
        Progress progress = new Progress(out, options.verbose());
        Scenario scenario = options.scenario();
        progress.note("scenario " + scenario.name() + " with " + options.nodes() + " nodes (time scale "
            + options.timeScale() + "): " + scenario.expectation());
        RehearsalRun run = null;
        String failure = null;
        Result result;
        List<Timeline> timelines = List.of();
        try {
            run = RehearsalRun.start(options, progress);
            List<String> problems = new ArrayList<>();
            try {
                scenario.act(run);
                problems.addAll(scenario.check(run));
            } catch (RuntimeException e) {
                problems.add("the scenario stopped: " + e.getMessage());
            }
            failure = problems.isEmpty() ? null : String.join("; ", problems);
            boolean keep = options.keepSandbox() || failure != null;
            RehearsalReport report = run.report(scenario.name(), failure == null ? RehearsalReport.PASSED
                : RehearsalReport.FAILED, scenario.expectation(), failure, keep);
            result = new Result(report, run.snapshots(), run.roles(), run.commands(), run.completions());
            timelines = run.timelines();
        } catch (RuntimeException e) {
            // The emulators did not start: nothing to report but the reason.
            failure = e.getMessage();
            RehearsalReport report = new RehearsalReport(scenario.name(), options.nodes(), RehearsalReport.FAILED,
                scenario.expectation(), failure, List.of(), 0, 0, 0, 0,
                new RehearsalReport.Lifecycle(0, 0, 0, List.of(), List.of()), null, List.of(), List.of(), List.of(), 0, 0, 0, 0,
                run == null ? null : run.sandbox().toString());
            result = new Result(report, Map.of(), Map.of(), List.of(), List.of());
        } finally {
            if (run != null) {
                run.close();
                if (failure == null && !options.keepSandbox()) {
                    run.deleteSandbox();
                }
            }
        }
        if (options.report() != null) {
            result.report().write(options.report());
        }
        printSummary(out, result.report());
        if (options.report() != null) {
            out.println("Report: " + options.report());
            List<Path> files = TimelineFiles.write(options.report(), timelines);
            for (int i = 0; i < files.size(); i++) {
                Timeline timeline = timelines.get(i);
                out.printf(Locale.ROOT, "Timeline of %s (%d SSM rounds): %s%n", Progress.label(timeline.execution()),
                    timeline.rounds().size(), files.get(i));
            }
        }
        return result;
    }

    static void printSummary(PrintStream out, RehearsalReport report) {
        out.println();
        if (!report.cluster().isEmpty()) {
            String format = "%-20s %-17s %-11s %-7s %-9s %-13s %s%n";
            out.printf(Locale.ROOT, format, "NODE", "HOSTNAME", "AZ", "NODE-ID", "ROLE", "DISK", "PEERS");
            for (RehearsalReport.ClusterRow row : report.cluster()) {
                out.printf(Locale.ROOT, format, row.node(), row.hostname(), row.availabilityZone(),
                    row.nodeId() == null ? "-" : row.nodeId(), row.role() == null ? "-" : row.role(),
                    row.disk() == null ? "-" : row.disk(), row.peers().isEmpty() ? "-" : String.join(", ", row.peers()));
            }
            out.println();
        }
        out.printf(Locale.ROOT, "%s: %s. %d executions, %d state transitions, %d SSM rounds (%d commands, %d mutating),"
                + " lifecycle actions %d CONTINUE / %d ABANDON, %.1f s%n",
            report.scenario(), report.passed() ? "PASSED" : "FAILED", report.executions().size(), report.stateTransitions(),
            report.ssmRounds(), report.ssmCommands(), report.mutatingSsmCommands(), report.lifecycle().continued(),
            report.lifecycle().abandoned(), report.wallTimeSeconds());
        if (report.failure() != null) {
            out.println("Why: " + report.failure());
        }
        if (report.sandbox() != null) {
            out.println("Logs and node states kept in " + report.sandbox());
        }
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--chaos")) {
            System.exit(chaos(args));
            return;
        }
        RehearsalOptions options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("rehearse: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(usage());
            return;
        }
        Result result = run(options, System.out);
        System.exit(result.report().passed() ? 0 : 1);
    }

    private static int chaos(String[] args) {
        ChaosCommand.Options options;
        try {
            options = ChaosCommand.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("rehearse: " + e.getMessage());
            System.err.println(usage());
            return 2;
        }
        if (options == null) {
            System.out.println(usage());
            return 0;
        }
        return ChaosCommand.run(options, System.out).failing().isEmpty() ? 0 : 1;
    }

    /** The --help text; the scenarios, their sizes and their smallest time scales come from the registry. */
    static String usage() {
        List<Scenario> scenarios = Scenarios.all();
        List<String> sized = scenarios.stream().filter(s -> s.defaultNodes() != 3)
            .map(s -> s.name() + " uses " + s.defaultNodes()).toList();
        List<String> slow = new ArrayList<>();
        scenarios.stream().filter(s -> s.minimumTimeScale() > 0).forEach(s -> slow.add(slow.isEmpty()
            ? s.name() + " needs " + s.minimumTimeScale() + " or more" : s.name() + " " + s.minimumTimeScale()));
        return "Usage: bin/rehearse [--scenario NAME] [--nodes N] [--report FILE] [--time-scale X] [--verbose]"
            + " [--keep-sandbox]\n  scenarios (default " + Scenarios.byDefault().name() + "):\n"
            + String.join("\n", scenarios.stream()
                .map(s -> String.format(Locale.ROOT, "    %-23s %s", s.name(), s.expectation())).toList())
            + "\n  --nodes: odd, 3..15 (default 3" + (sized.isEmpty() ? "" : "; " + String.join(", ", sized)) + ")"
            + "\n  --report FILE: the JSON report, and next to it one timeline per execution (FILE without .json"
            + " + .timeline.<execution>.svg)"
            + "\n  --time-scale: AWS time runs this much faster (node work, AWS timeouts, the functions' duration"
            + " settings); 1.0 = real time (default " + RehearsalOptions.DEFAULT_TIME_SCALE
            + (slow.isEmpty() ? "" : "; " + String.join(", ", slow))
            + ")"
            + "\n  bin/rehearse --setup-only: installs and checks what the rehearsal needs, then stops\n"
            + ChaosCommand.usage();
    }

    /** The options, or {@code null} for --help. */
    public static RehearsalOptions parse(String[] args) {
        Path root = Path.of(System.getProperty("rehearsal.projectRoot", ".")).toAbsolutePath().normalize();
        Scenario scenario = Scenarios.byDefault();
        Integer nodes = null;
        Path report = null;
        double timeScale = RehearsalOptions.DEFAULT_TIME_SCALE;
        boolean verbose = false;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (value == null && List.of("--scenario", "--nodes", "--report", "--time-scale").contains(flag)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args[++i];
            }
            switch (flag) {
                case "--scenario" -> scenario = Scenarios.named(value);
                case "--nodes" -> nodes = parseInt(flag, value);
                case "--report" -> report = Path.of(value);
                case "--time-scale" -> timeScale = parseDouble(flag, value);
                case "--verbose", "-v" -> verbose = true;
                case "--keep-sandbox" -> keep = true;
                case "--help", "-h" -> {
                    return null;
                }
                default -> throw new IllegalArgumentException("Unknown argument " + arg);
            }
        }
        RehearsalOptions options = RehearsalOptions.defaults(scenario, root).withTimeScale(timeScale)
            .withReport(report).withVerbose(verbose).withSandbox(null, keep);
        if (nodes != null) {
            if (scenario.fixedSize() && nodes != scenario.defaultNodes()) {
                throw new IllegalArgumentException("scenario " + scenario.name() + " always runs "
                    + scenario.defaultNodes() + " nodes");
            }
            options = options.withNodes(nodes);
        }
        return options;
    }

    private static int parseInt(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + value + "'");
        }
    }

    private static double parseDouble(String flag, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a number, got '" + value + "'");
        }
    }
}
