package dev.drbdmultiaz.functions.reconcile.state;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters and flags of one execution ({@code $.collected.run}).
 *
 * @param rounds commands that finished
 * @param mutatingRounds mutating commands that finished
 * @param waitAttempts WaitForConnections rounds since the last mutating step
 * @param metadataCreated members whose DRBD metadata CreateMetadata created in this execution
 * @param forgotten departed node-id (as a string key) to the survivors that forgot it
 * @param observedSnapshot the cluster snapshot the last observation belongs to, 0 for none
 * @param staleStatus members whose last report predates a step that may have changed what they
 *     report (one that changes peers, run on others): the planner observes before it reads them
 * @param lastMutating the last mutating step, to detect one that has no effect
 * @param resyncWaits WaitForResync rounds in this execution (the resync bound counts them all)
 * @param volumesRequested data volumes EC2 accepted to grow in this execution (ModifyVolume), never asked twice
 * @param volumeGrowthRounds GrowDataVolumes observations in this execution (their bound counts them all)
 */
public record RunCounters(
    int rounds,
    int mutatingRounds,
    int waitAttempts,
    List<String> metadataCreated,
    Map<String, List<String>> forgotten,
    int observedSnapshot,
    List<String> staleStatus,
    StepRecord lastMutating,
    int resyncWaits,
    List<String> volumesRequested,
    int volumeGrowthRounds) {

    public RunCounters {
        volumesRequested = volumesRequested == null ? List.of() : List.copyOf(volumesRequested);
        metadataCreated = metadataCreated == null ? List.of() : List.copyOf(metadataCreated);
        Map<String, List<String>> copy = new TreeMap<>();
        if (forgotten != null) {
            forgotten.forEach((peer, survivors) -> copy.put(peer, List.copyOf(survivors)));
        }
        forgotten = Collections.unmodifiableMap(copy);
        staleStatus = staleStatus == null ? List.of() : List.copyOf(staleStatus);
    }

    /** Counters before any volume growth. */
    public RunCounters(int rounds, int mutatingRounds, int waitAttempts, List<String> metadataCreated,
        Map<String, List<String>> forgotten, int observedSnapshot, List<String> staleStatus, StepRecord lastMutating,
        int resyncWaits) {
        this(rounds, mutatingRounds, waitAttempts, metadataCreated, forgotten, observedSnapshot, staleStatus,
            lastMutating, resyncWaits, List.of(), 0);
    }

    /** Counters before any resync wait. */
    public RunCounters(int rounds, int mutatingRounds, int waitAttempts, List<String> metadataCreated,
        Map<String, List<String>> forgotten, int observedSnapshot, List<String> staleStatus, StepRecord lastMutating) {
        this(rounds, mutatingRounds, waitAttempts, metadataCreated, forgotten, observedSnapshot, staleStatus,
            lastMutating, 0);
    }

    public static RunCounters initial() {
        return new RunCounters(0, 0, 0, List.of(), Map.of(), 0, List.of(), null, 0);
    }

    /** The same counters, with {@code volumeIds} among the volumes requested. */
    public RunCounters withVolumesRequested(List<String> volumeIds) {
        List<String> requested = new java.util.ArrayList<>(volumesRequested);
        volumeIds.stream().filter(id -> !requested.contains(id)).forEach(requested::add);
        return new RunCounters(rounds, mutatingRounds, waitAttempts, metadataCreated, forgotten, observedSnapshot,
            staleStatus, lastMutating, resyncWaits, requested, volumeGrowthRounds);
    }

    /** The survivors that forgot node-id {@code nodeId} in this execution. */
    public List<String> forgottenBy(int nodeId) {
        return forgotten.getOrDefault(String.valueOf(nodeId), List.of());
    }

    /**
     * A mutating step in a snapshot.
     *
     * @param step step name
     * @param targets its targets
     * @param snapshot cluster snapshot it ran in
     */
    public record StepRecord(String step, List<String> targets, int snapshot) {
        public StepRecord {
            targets = targets == null ? List.of() : List.copyOf(targets);
        }
    }
}
