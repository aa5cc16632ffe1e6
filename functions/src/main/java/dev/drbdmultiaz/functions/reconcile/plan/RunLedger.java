package dev.drbdmultiaz.functions.reconcile.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.model.Step;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * What an execution remembers after a step succeeded on every target: the planner's memory, as a
 * pure function of the step, its results and what was remembered before. CollectCommandResults
 * only collects the results and hands them here.
 */
public final class RunLedger {

    private RunLedger() {
    }

    /**
     * The memory after a finished step.
     *
     * @param observed what each instance last reported
     * @param counters the execution's counters and flags
     */
    public record Memory(Map<String, NodeStatus> observed, RunCounters counters) {

        public Memory {
            observed = Map.copyOf(observed);
            Objects.requireNonNull(counters, "counters");
        }
    }

    /**
     * A step that succeeded on every target.
     *
     * @param step the step
     * @param targets the instances it was sent to
     * @param results each target's JSON result line, kept sorted by instance
     * @param snapshot the cluster snapshot it ran in
     * @param peerNodeId ForgetDepartedPeers' PeerNodeId parameter, else {@code null}
     */
    public record Finished(Step step, List<String> targets, Map<String, JsonNode> results, int snapshot,
        String peerNodeId) {

        public Finished {
            Objects.requireNonNull(step, "step");
            targets = List.copyOf(targets);
            // Sorted, so that what is remembered in order does not depend on the order of arrival.
            results = Collections.unmodifiableMap(new TreeMap<>(results));
        }
    }

    /**
     * Folds {@code finished} into {@code before}. Every document's result carries the node's status
     * taken after its work (by {@code toStatus}): it replaces what that target reported before. A
     * step that changes peers ({@link Step#changesPeers()}) makes the members it did not run on
     * stale until they report again, and each of its targets whose result does not say
     * {@code settled} (its bounded wait saw the other targets' part of the step). An observing step also dates the observation to its snapshot
     * and counts a connection or resync wait; a mutating step resets the waits and is remembered;
     * CreateMetadata remembers where it created metadata, ForgetDepartedPeers which survivors
     * forgot the peer. A mutating step's result without the whole status (a document deployed
     * before that contract) replaces nothing and leaves its node stale.
     */
    public static Memory after(Memory before, Finished finished, BiFunction<String, JsonNode, NodeStatus> toStatus) {
        RunCounters run = before.counters();
        Step step = finished.step();
        Map<String, NodeStatus> observed = new HashMap<>(before.observed());
        int waitAttempts = run.waitAttempts();
        int resyncWaits = run.resyncWaits();
        int volumeGrowthRounds = run.volumeGrowthRounds();
        int mutatingRounds = run.mutatingRounds();
        int observedSnapshot = run.observedSnapshot();
        Set<String> stale = new TreeSet<>(run.staleStatus());
        RunCounters.StepRecord lastMutating = run.lastMutating();
        Set<String> metadataCreated = new LinkedHashSet<>(run.metadataCreated());
        Map<String, List<String>> forgotten = new TreeMap<>(run.forgotten());
        if (step.changesPeers()) {
            observed.keySet().stream().filter(id -> !finished.targets().contains(id)).forEach(stale::add);
        }
        finished.results().forEach((instanceId, result) -> {
            boolean reported = step.observes() || NodeStatus.reportedIn(result);
            if (reported) {
                observed.put(instanceId, toStatus.apply(instanceId, result).reportedBy(step.name()));
            }
            // A target of a step that changes peers reports before its fellow targets are done,
            // unless its wait saw their part (settled): until then its report is stale too.
            if (reported && (!step.changesPeers() || result.path("settled").asBoolean(false))) {
                stale.remove(instanceId);
            } else {
                stale.add(instanceId);
            }
        });
        if (step.observes()) {
            observedSnapshot = finished.snapshot();
            if (step == Step.WaitForConnections) {
                waitAttempts++;
            }
            if (step == Step.WaitForResync) {
                resyncWaits++;
            }
            if (step == Step.GrowDataVolumes) {
                volumeGrowthRounds++;
            }
        }
        if (step.mutating()) {
            mutatingRounds++;
            waitAttempts = 0;
            lastMutating = new RunCounters.StepRecord(step.name(), finished.targets(), finished.snapshot());
        }
        if (step == Step.CreateMetadata) {
            finished.results().forEach((instanceId, result) -> {
                if (result.path("changed").asBoolean(false)) {
                    metadataCreated.add(instanceId);
                }
            });
        }
        if (step == Step.ForgetDepartedPeers) {
            if (finished.peerNodeId() == null) {
                throw new InvalidStateDocumentException(
                    "ForgetDepartedPeers finished but $.plan.parameters has no PeerNodeId");
            }
            Set<String> survivors = new LinkedHashSet<>(forgotten.getOrDefault(finished.peerNodeId(), List.of()));
            survivors.addAll(finished.results().keySet());
            forgotten.put(finished.peerNodeId(), List.copyOf(survivors));
        }
        return new Memory(observed, new RunCounters(run.rounds() + 1, mutatingRounds, waitAttempts,
            List.copyOf(metadataCreated), forgotten, observedSnapshot, List.copyOf(stale), lastMutating, resyncWaits,
            run.volumesRequested(), volumeGrowthRounds));
    }
}
