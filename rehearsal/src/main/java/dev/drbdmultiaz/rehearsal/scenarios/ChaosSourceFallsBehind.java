package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.chaos.ChaosSequence;
import dev.drbdmultiaz.rehearsal.chaos.FaultKind;
import dev.drbdmultiaz.rehearsal.chaos.FaultPlan;
import dev.drbdmultiaz.rehearsal.chaos.PlannedFault;
import java.time.Duration;
import java.util.List;

/**
 * Chaos seed 2 (4 faults), kept as a scenario: a replacement joins while its sync source reboots
 * and falls behind the other member; its resync must still complete, from the member that is
 * UpToDate. It once waited forever for a peer on the generation it had started on (the simulated
 * kernel's defect; NodeApplicationOnSimulatedNodesTest.resyncOutlivesItsSource holds it at node level).
 */
final class ChaosSourceFallsBehind extends ReplayedChaos {

    static final FaultPlan PLAN = new FaultPlan(2, List.of(
        new PlannedFault(FaultKind.STOP_LOCK_HOLDER, Duration.ofSeconds(432), 5, 67, Duration.ofSeconds(120)),
        new PlannedFault(FaultKind.TERMINATE, Duration.ofSeconds(186), 9, 847, Duration.ofSeconds(120)),
        new PlannedFault(FaultKind.TERMINATE, Duration.ofSeconds(386), 9, 514, Duration.ofSeconds(120)),
        new PlannedFault(FaultKind.REBOOT, Duration.ZERO, 9, 530, Duration.ofSeconds(120))));

    @Override
    public String name() {
        return "chaos-source-falls-behind";
    }

    @Override
    public String expectation() {
        return "chaos seed 2: the lock holder stopped, two members replaced one after the other while the survivor"
            + " reboots: every invariant of a chaos run holds, the replacement's resync completes from the member"
            + " that is UpToDate";
    }

    @Override
    ChaosSequence sequence() {
        return new ChaosSequence(name(), expectation(), PLAN);
    }
}
