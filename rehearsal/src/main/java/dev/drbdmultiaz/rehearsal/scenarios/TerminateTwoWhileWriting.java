package dev.drbdmultiaz.rehearsal.scenarios;

import dev.drbdmultiaz.rehearsal.chaos.ChaosSequence;
import dev.drbdmultiaz.rehearsal.chaos.FaultKind;
import dev.drbdmultiaz.rehearsal.chaos.FaultPlan;
import dev.drbdmultiaz.rehearsal.chaos.PlannedFault;
import java.time.Duration;
import java.util.List;

/**
 * Chaos terminate-two with the writer among the two, kept as a scenario: on a converged cluster of
 * three the application writes on the first member (A, pinned, not drawn); A and the second member
 * (B) are terminated at the same moment through the group and wait in Terminating:Wait, still
 * running; the application goes on writing on A until a write fails, then moves to a member with an
 * UpToDate disk and quorum. The group launches two replacements and the workflow runs. Once the
 * cluster converged (the chaos bound), every acknowledged write must be on every UpToDate member,
 * and no lifecycle action may have expired; the other chaos invariants are checked as well.
 *
 * <p>It reproduces the data loss chaos found (invariant I9): when the survivor forgot A and B while
 * they still ran, they were two of the old three-node config, kept quorum between them and
 * acknowledged writes that went with them. It fails without ReleaseDepartingMembers.
 */
final class TerminateTwoWhileWriting extends ReplayedChaos {

    /** One fault a minute (AWS time) after the application started: A (member 0) and B (member 1). */
    static final FaultPlan PLAN = new FaultPlan(0, List.of(
        new PlannedFault(FaultKind.TERMINATE_TWO, Duration.ofSeconds(60), 0, 0, Duration.ZERO)));
    /** The application writes first on member 0, the first the fault terminates. */
    private static final int WRITER = 0;

    @Override
    public String name() {
        return "terminate-two-while-writing";
    }

    @Override
    public String expectation() {
        return "two members terminated at once while the application writes on one of them: the departing members"
            + " stay connected to the survivor until their instances are gone, so every acknowledged write is on the"
            + " survivor and on the replacements once they are UpToDate";
    }

    @Override
    ChaosSequence sequence() {
        return new ChaosSequence(name(), expectation(), PLAN, WRITER);
    }
}
