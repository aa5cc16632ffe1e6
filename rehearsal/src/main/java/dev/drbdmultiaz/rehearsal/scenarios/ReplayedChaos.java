package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.chaos.ChaosSequence;
import java.util.List;

/**
 * A chaos sequence kept as a scenario so that what it found stays fixed: a literal fault plan
 * replayed as one {@link ChaosSequence}, at its fixed size and the chaos time-scale floor, every
 * chaos invariant checked.
 */
abstract class ReplayedChaos implements Scenario {

    private ChaosSequence sequence;

    /** A fresh sequence of this scenario's plan, for one run. */
    abstract ChaosSequence sequence();

    @Override
    public boolean fixedSize() {
        return true;
    }

    @Override
    public double minimumTimeScale() {
        return ChaosSequence.MINIMUM_TIME_SCALE;
    }

    @Override
    public synchronized void act(RehearsalRun run) {
        sequence = sequence();
        sequence.act(run);
    }

    @Override
    public synchronized List<String> check(RehearsalRun run) {
        return sequence.check(run);
    }
}
