package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import java.util.Objects;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.SendTaskSuccessRequest;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * Completes the RunNodeStep task that waits for a round once the round's command has ended: the
 * folded {@link Collected} (Succeeded, or Failed with the failing node) becomes the task's result
 * through SendTaskSuccess. A failed step is reported as a result, not with SendTaskFailure,
 * because the failure path needs the failing nodes as data ({@code $.collected.failure}: their
 * launches are abandoned), and a task failure carries only an error name and a cause string;
 * PlanNextStep routes it to NodeStepFailed.
 */
public final class NodeStepCompletion {

    private static final StructuredLog LOG = StructuredLog.of(NodeStepCompletion.class);

    /** What a completion attempt came to. */
    public enum Outcome {
        /** The waiting task got the result. */
        COMPLETED,
        /** The command has not ended everywhere yet. */
        PENDING,
        /** Another caller reported this round to this token already (a duplicate event). */
        CLAIMED_ELSEWHERE,
        /** The task had closed (timed out into the polling fallback, or the execution ended). */
        TASK_CLOSED
    }

    private final CommandCollector collector;
    private final CommandRounds rounds;
    private final SfnClient sfn;

    public NodeStepCompletion(CommandCollector collector, CommandRounds rounds, SfnClient sfn) {
        this.collector = Objects.requireNonNull(collector, "collector");
        this.rounds = Objects.requireNonNull(rounds, "rounds");
        this.sfn = Objects.requireNonNull(sfn, "sfn");
    }

    /** Reports {@code stored} to its waiting task if its command has ended everywhere. */
    public Outcome completeIfEnded(CommandRounds.Stored stored) {
        Collected collected = collector.collect(stored.round());
        if (Collected.PENDING.equals(collected.status())) {
            return Outcome.PENDING;
        }
        if (!rounds.claim(stored.round().key(), stored.taskToken())) {
            LOG.info("Node step reported already", "executionArn", stored.round().executionArn(),
                "step", stored.round().step(), "round", stored.round().key());
            return Outcome.CLAIMED_ELSEWHERE;
        }
        try {
            sfn.sendTaskSuccess(SendTaskSuccessRequest.builder().taskToken(stored.taskToken())
                .output(Json.write(collected)).build());
        } catch (TaskTimedOutException | InvalidTokenException closed) {
            LOG.warn("Node step ended after its task closed; the polling fallback collects it",
                "executionArn", stored.round().executionArn(), "step", stored.round().step(),
                "round", stored.round().key(), "error", closed.getClass().getSimpleName());
            return Outcome.TASK_CLOSED;
        }
        LOG.info("Completed node step", "executionArn", stored.round().executionArn(),
            "step", stored.round().step(), "status", collected.status(), "round", stored.round().key());
        return Outcome.COMPLETED;
    }
}
