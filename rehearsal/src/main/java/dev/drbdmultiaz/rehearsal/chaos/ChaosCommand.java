package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.Rehearsal;
import dev.drbdmultiaz.rehearsal.RehearsalOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code bin/rehearse --chaos [--seed N] [--faults K] [--nodes N] [--runs R] [--no-shrink]
 * [--time-scale X] [--report FILE] [--verbose] [--keep-sandbox]}: runs R fault sequences (seeds N,
 * N+1, ...), each on a fresh emulated account; a sequence that breaks an invariant is shrunk (its
 * faults dropped one at a time, last first, while the same invariant still breaks) and printed
 * with its seed.
 */
public final class ChaosCommand {

    /** Faults per sequence without {@code --faults}. */
    public static final int DEFAULT_FAULTS = 10;

    /**
     * The command's options.
     *
     * @param base the rehearsal options every sequence runs with (its scenario is replaced)
     * @param seed the first seed
     * @param faults faults per sequence
     * @param runs how many sequences
     * @param shrink whether a failing sequence is shrunk
     * @param report where to write the summary, or {@code null}
     */
    public record Options(RehearsalOptions base, long seed, int faults, int runs, boolean shrink, Path report) {
        public Options {
            if (runs < 1) {
                throw new IllegalArgumentException("--runs must be 1 or more, got " + runs);
            }
            if (faults < 0 || faults > 100) {
                throw new IllegalArgumentException("--faults must be 0..100, got " + faults);
            }
        }
    }

    private ChaosCommand() {
    }

    /** Runs the sequences; returns the summary (also printed, and written to the report). */
    public static ChaosSummary run(Options options, PrintStream out) {
        int injected = 0;
        int skipped = 0;
        int simultaneous = 0;
        int acknowledged = 0;
        Map<String, Integer> byInvariant = new LinkedHashMap<>();
        List<ChaosSummary.FailingSeed> failing = new ArrayList<>();
        for (int r = 0; r < options.runs(); r++) {
            FaultPlan plan = FaultPlan.draw(options.seed() + r, options.faults());
            out.println("chaos sequence " + (r + 1) + "/" + options.runs() + ", " + plan);
            Outcome outcome = runPlan(options, plan, out);
            injected += outcome.sequence().injected().size() - outcome.sequence().skipped();
            skipped += outcome.sequence().skipped();
            simultaneous += plan.simultaneous();
            acknowledged += outcome.sequence().acknowledgedWrites();
            outcome.sequence().violations().forEach(v -> byInvariant.merge(v.invariant().label(), 1, Integer::sum));
            if (!outcome.passed() && outcome.sequence().violations().isEmpty()) {
                byInvariant.merge("stopped", 1, Integer::sum);
            }
            if (!outcome.passed()) {
                FaultPlan shortest = options.shrink() ? shrink(options, plan, outcome, out) : plan;
                failing.add(new ChaosSummary.FailingSeed(plan.seed(), plan.toString(),
                    outcome.failure(), shortest.toString(), outcome.sandbox()));
            }
        }
        ChaosSummary summary = new ChaosSummary(options.base().nodes(), options.base().timeScale(), options.runs(),
            injected, skipped, simultaneous, acknowledged, byInvariant, failing);
        summary.print(out);
        if (options.report() != null) {
            summary.write(options.report());
        }
        return summary;
    }

    /** A sequence's run: the sequence (its violations and injections) and the rehearsal's verdict. */
    record Outcome(ChaosSequence sequence, boolean passed, List<String> failure, String sandbox) {
        Set<Invariant> broken() {
            return sequence.violations().stream().map(Violation::invariant).collect(Collectors.toSet());
        }
    }

    static Outcome runPlan(Options options, FaultPlan plan, PrintStream out) {
        ChaosSequence sequence = ChaosSequence.of(plan);
        Rehearsal.Result result = Rehearsal.run(options.base().withScenario(sequence), out);
        List<String> failure = result.report().failure() == null ? List.of() : List.of(result.report().failure());
        return new Outcome(sequence, result.report().passed(), failure, result.report().sandbox());
    }

    static FaultPlan shrink(Options options, FaultPlan plan, Outcome failed, PrintStream out) {
        FaultPlan shortest = Shrinker.shrink(plan, failed.broken(), candidate -> {
            out.println("chaos shrink: trying " + candidate);
            Outcome outcome = runPlan(options, candidate, out);
            return new Shrinker.Verdict(outcome.passed(), outcome.broken());
        });
        out.println("chaos shrink: shortest failing sequence " + shortest);
        return shortest;
    }

    /** {@code args} without the leading {@code --chaos}; {@code null} for --help. */
    public static Options parse(String[] args) {
        long seed = System.currentTimeMillis() % 100_000;
        int faults = DEFAULT_FAULTS;
        int runs = 1;
        boolean shrink = true;
        Path report = null;
        List<String> rehearsalArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
            boolean takesValue = List.of("--seed", "--faults", "--runs", "--report", "--nodes", "--time-scale")
                .contains(flag);
            if (takesValue && value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args[++i];
            }
            switch (flag) {
                case "--chaos" -> { }
                case "--seed" -> seed = number(flag, value);
                case "--faults" -> faults = (int) number(flag, value);
                case "--runs" -> runs = (int) number(flag, value);
                case "--report" -> report = Path.of(value);
                case "--no-shrink" -> shrink = false;
                case "--nodes", "--time-scale" -> {
                    rehearsalArgs.add(flag);
                    rehearsalArgs.add(value);
                }
                case "--verbose", "-v", "--keep-sandbox" -> rehearsalArgs.add(flag);
                case "--help", "-h" -> {
                    return null;
                }
                default -> throw new IllegalArgumentException("Unknown argument for --chaos: " + arg);
            }
        }
        RehearsalOptions base = Rehearsal.parse(rehearsalArgs.toArray(String[]::new));
        return new Options(base, seed, faults, runs, shrink, report);
    }

    private static long number(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + value + "'");
        }
    }

    /** The --help lines of --chaos. */
    public static String usage() {
        return "       bin/rehearse --chaos [--seed N] [--faults K] [--nodes N] [--runs R] [--no-shrink]"
            + " [--time-scale X] [--report FILE] [--verbose] [--keep-sandbox]\n"
            + "  --chaos: R random fault sequences (seeds N, N+1, ...; default seed: drawn from the clock, printed) of"
            + " K faults (default " + DEFAULT_FAULTS + ") against a writing application; a failing one is shrunk."
            + "\n  the fault catalog:\n" + java.util.Arrays.stream(FaultKind.values())
                .map(k -> String.format(java.util.Locale.ROOT, "    %-23s %s", k.label(), k.description()))
                .collect(Collectors.joining("\n"));
    }
}
