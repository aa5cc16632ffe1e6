package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts a node step for RunNodeStep: sends the plan's command, records the round with the task
 * token that waits for it, then checks the command once, because it may end before its event can
 * find the round. A retried attempt (same execution, snapshot and round) finds the command its
 * first attempt sent and waits for that one instead of sending again.
 */
public final class NodeStepStarter {

    private static final StructuredLog LOG = StructuredLog.of(NodeStepStarter.class);

    /**
     * SendNodeCommand's answer (Step Functions discards it in the callback pattern; it is logged).
     *
     * @param round the round's key
     * @param commandIds instance id to command id
     * @param resent false when a retried attempt found the command already sent
     * @param outcome what the check right after the send came to
     */
    public record Started(String round, Map<String, String> commandIds, boolean resent,
        NodeStepCompletion.Outcome outcome) {
    }

    private final NodeCommandSender sender;
    private final CommandRounds rounds;
    private final NodeStepCompletion completion;

    public NodeStepStarter(NodeCommandSender sender, CommandRounds rounds, NodeStepCompletion completion) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.rounds = Objects.requireNonNull(rounds, "rounds");
        this.completion = Objects.requireNonNull(completion, "completion");
    }

    public Started start(NodeStepRequest request) {
        ReconcileState state = request.state();
        if (request.taskToken() == null || request.taskToken().isBlank() || state == null || state.plan() == null
            || !state.plan().step().equals(request.step())) {
            throw new InvalidStateDocumentException("SendNodeCommand needs {taskToken, step, state} with step equal"
                + " to state.plan.step (RunNodeStep's Parameters), got step " + request.step() + " and plan "
                + (state == null || state.plan() == null ? "none" : state.plan().step()));
        }
        String key = CommandRound.keyOf(state);
        Optional<CommandRounds.Stored> sentBefore = rounds.find(key);
        CommandRound round;
        if (sentBefore.isPresent()) {
            round = sentBefore.get().round();
            rounds.replaceToken(key, request.taskToken());
            LOG.warn("Retried node step found its command sent already; waiting for it", "executionArn",
                round.executionArn(), "step", round.step(), "commandIds", round.commandIds());
        } else {
            round = CommandRound.sent(state, sender.send(state));
            rounds.record(round, request.taskToken());
        }
        NodeStepCompletion.Outcome outcome = completion.completeIfEnded(
            new CommandRounds.Stored(round, request.taskToken()));
        return new Started(key, round.commandIds(), sentBefore.isEmpty(), outcome);
    }
}
