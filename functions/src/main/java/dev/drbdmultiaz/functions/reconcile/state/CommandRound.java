package dev.drbdmultiaz.functions.reconcile.state;

import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowthResult;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One node step in flight: the SSM command sent for it and what the execution remembered before
 * it, stored in the registry table while the workflow waits for the command to end (completion by
 * event, or the polling fallback). Everything needed to fold the results into the next
 * {@link Collected} is here, because the function that completes the step sees only the event.
 *
 * @param key the round's registry key, see {@link #keyOf(ReconcileState)}
 * @param executionArn the execution that waits
 * @param step the plan's step
 * @param documentName the document sent
 * @param commandIds instance id to command id
 * @param sentAt ISO-8601 instant of the SendCommand
 * @param snapshot the cluster snapshot the step was planned in
 * @param peerNodeId ForgetDepartedPeers' PeerNodeId parameter, else {@code null}
 * @param before what the execution remembered before this step (its {@code $.collected})
 */
public record CommandRound(
    String key,
    String executionArn,
    String step,
    String documentName,
    Map<String, String> commandIds,
    String sentAt,
    int snapshot,
    String peerNodeId,
    Collected before) {

    static final String PREFIX = "round#";

    public CommandRound {
        Objects.requireNonNull(key, "key");
        commandIds = commandIds == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(commandIds));
        before = before == null ? Collected.empty() : before;
    }

    /**
     * The round of {@code sent}, the command SendNodeCommand sent for {@code state}'s plan: what
     * the state remembered before it.
     */
    public static CommandRound sent(ReconcileState state, CommandSent sent) {
        Collected before = state.collectedOrEmpty();
        // The volumes EC2 accepted to grow since the last round are remembered with the run's counters,
        // so that no later round of the execution asks for them again (EC2 refuses a second
        // modification while one is in progress).
        RunCounters run = state.volumeGrowth() == null ? before.run() : before.run().withVolumesRequested(
            state.volumeGrowth().stream().filter(VolumeGrowthResult::accepted).map(VolumeGrowthResult::volumeId).toList());
        return new CommandRound(keyOf(state), state.currentExecutionArn(), sent.step(), sent.documentName(),
            sent.commandIds(), sent.sentAt(), state.cluster().snapshot(), state.plan().parameter("PeerNodeId"),
            new Collected(before.status(), before.observed(), run, null));
    }

    /**
     * The key of the round {@code state} is about to run or waits for: unique per execution,
     * cluster snapshot (a rerun describes the cluster again) and finished rounds, so a retried
     * send finds the command its first attempt sent.
     */
    public static String keyOf(ReconcileState state) {
        String executionArn = state.currentExecutionArn();
        if (executionArn == null || state.cluster() == null) {
            throw new InvalidStateDocumentException(
                "A node step needs the execution ARN ($.executionArn or $.lock) and $.cluster, but the state lacks "
                    + (executionArn == null ? "the ARN" : "$.cluster"));
        }
        return PREFIX + executionArn + "#" + state.cluster().snapshot() + "#" + state.collectedOrEmpty().run().rounds();
    }
}
