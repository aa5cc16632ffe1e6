package dev.drbdmultiaz.rehearsal.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * A sequence of faults drawn from a seed: the same seed, count and cluster size give the same plan,
 * so a seed replays a run. {@link FaultKind#TWO_AT_ONCE} draws two other faults and puts the second
 * at the same moment as the first.
 *
 * @param seed the seed it was drawn from
 * @param faults the faults in injection order
 */
public record FaultPlan(long seed, List<PlannedFault> faults) {

    /** Most AWS time between two faults. */
    static final Duration MAX_GAP = Duration.ofMinutes(15);
    /** Most AWS time a lasting fault stays on. */
    static final Duration MAX_HOLD = Duration.ofMinutes(20);

    public FaultPlan {
        faults = List.copyOf(faults);
    }

    /** {@code count} faults drawn from {@code seed} (a two-at-once counts as two). */
    public static FaultPlan draw(long seed, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("--faults must be 0 or more, got " + count);
        }
        // SplittableRandom mixes its seed: java.util.Random's first nextInt of consecutive small seeds
        // is nearly the same number (with 16 kinds, every seed 0..11 began with the same fault).
        SplittableRandom random = new SplittableRandom(seed);
        List<FaultKind> single = Arrays.stream(FaultKind.values()).filter(k -> k != FaultKind.TWO_AT_ONCE).toList();
        List<PlannedFault> faults = new ArrayList<>();
        while (faults.size() < count) {
            FaultKind kind = FaultKind.values()[random.nextInt(FaultKind.values().length)];
            Duration after = Duration.ofSeconds(60 + random.nextInt((int) MAX_GAP.toSeconds() - 60));
            if (kind == FaultKind.TWO_AT_ONCE && count - faults.size() >= 2) {
                faults.add(fault(random, single.get(random.nextInt(single.size())), after));
                faults.add(fault(random, single.get(random.nextInt(single.size())), Duration.ZERO));
            } else if (kind != FaultKind.TWO_AT_ONCE) {
                faults.add(fault(random, kind, after));
            }
        }
        return new FaultPlan(seed, faults);
    }

    private static PlannedFault fault(SplittableRandom random, FaultKind kind, Duration after) {
        return new PlannedFault(kind, after, random.nextInt(15), random.nextInt(1000),
            Duration.ofSeconds(120 + random.nextInt((int) MAX_HOLD.toSeconds() - 120)));
    }

    /** The plan without the fault at {@code index} (the shrinker's step). */
    public FaultPlan without(int index) {
        List<PlannedFault> rest = new ArrayList<>(faults);
        rest.remove(index);
        return new FaultPlan(seed, rest);
    }

    /** How many pairs of faults the plan injects at the same moment. */
    public int simultaneous() {
        return (int) faults.stream().skip(1).filter(f -> f.after().isZero()).count();
    }

    @Override
    public String toString() {
        return "seed " + seed + ": " + (faults.isEmpty() ? "no faults"
            : faults.stream().map(PlannedFault::toString).collect(Collectors.joining(", ")));
    }
}
