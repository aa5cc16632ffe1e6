package dev.drbdmultiaz.functions.reconcile.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.model.Step;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunLedger: what an execution remembers after each step")
class RunLedgerTest {

    private static final BiFunction<String, JsonNode, NodeStatus> NO_STATUS = (id, result) -> {
        throw new AssertionError("no observation expected, got one of " + id);
    };

    private static JsonNode json(String text) {
        try {
            return Json.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static RunLedger.Memory initial() {
        return new RunLedger.Memory(Map.of(), RunCounters.initial());
    }

    @Test
    @DisplayName("a mutating step counts, resets the waits and is remembered; a result without the status leaves its node stale")
    void mutatingStep() {
        RunCounters waited = new RunCounters(3, 1, 2, List.of(), Map.of(), 7, List.of(), null);
        RunLedger.Memory after = RunLedger.after(new RunLedger.Memory(Map.of(), waited),
            new RunLedger.Finished(Step.WriteConfig, List.of("i-b", "i-a"), Map.of("i-a", json("{}"),
                "i-b", json("{}")), 8, null), NO_STATUS);
        RunCounters counters = after.counters();
        assertEquals(4, counters.rounds());
        assertEquals(2, counters.mutatingRounds());
        assertEquals(0, counters.waitAttempts());
        assertEquals(List.of("i-a", "i-b"), counters.staleStatus());
        assertEquals(7, counters.observedSnapshot());
        assertEquals(new RunCounters.StepRecord("WriteConfig", List.of("i-b", "i-a"), 8), counters.lastMutating());
    }

    @Test
    @DisplayName("an observation replaces the statuses and is fresh; WaitForConnections counts a wait")
    void observation() {
        NodeStatus status = Json.mapper().convertValue(Map.of("hostname", "nodea"), NodeStatus.class);
        RunCounters stale = new RunCounters(2, 1, 1, List.of(), Map.of(), 3, List.of("i-a"), null);
        RunLedger.Memory after = RunLedger.after(new RunLedger.Memory(Map.of(), stale),
            new RunLedger.Finished(Step.WaitForConnections, List.of("i-a"), Map.of("i-a", json("{}")), 5, null),
            (id, result) -> status);
        assertEquals(Map.of("i-a", status.reportedBy("WaitForConnections")), after.observed());
        assertEquals(List.of(), after.counters().staleStatus());
        assertEquals("WaitForConnections", after.observed().get("i-a").step());
        assertEquals(5, after.counters().observedSnapshot());
        assertEquals(2, after.counters().waitAttempts());
        assertEquals(1, after.counters().mutatingRounds());

        RunLedger.Memory observed = RunLedger.after(new RunLedger.Memory(Map.of(), stale),
            new RunLedger.Finished(Step.ObserveNodes, List.of("i-a"), Map.of("i-a", json("{}")), 5, null),
            (id, result) -> status);
        assertEquals(1, observed.counters().waitAttempts());
    }

    @Test
    @DisplayName("CreateMetadata remembers, in instance order, only where metadata was created")
    void metadataCreated() {
        RunLedger.Memory after = RunLedger.after(initial(), new RunLedger.Finished(Step.CreateMetadata,
            List.of("i-c", "i-a", "i-b"), Map.of("i-c", json("{\"changed\":true}"), "i-a", json("{\"changed\":true}"),
                "i-b", json("{\"changed\":false}")), 1, null), NO_STATUS);
        assertEquals(List.of("i-a", "i-c"), after.counters().metadataCreated());
    }

    @Test
    @DisplayName("ForgetDepartedPeers adds the survivors that forgot the peer; without PeerNodeId it refuses")
    void forgotten() {
        RunCounters before = new RunCounters(1, 1, 0, List.of(), Map.of("2", List.of("i-z")), 0, List.of(), null);
        RunLedger.Memory after = RunLedger.after(new RunLedger.Memory(Map.of(), before),
            new RunLedger.Finished(Step.ForgetDepartedPeers, List.of("i-b", "i-a"),
                Map.of("i-b", json("{}"), "i-a", json("{}")), 4, "2"), NO_STATUS);
        assertEquals(List.of("i-z", "i-a", "i-b"), after.counters().forgottenBy(2));
        assertThrows(InvalidStateDocumentException.class, () -> RunLedger.after(initial(),
            new RunLedger.Finished(Step.ForgetDepartedPeers, List.of("i-a"), Map.of("i-a", json("{}")), 4, null),
            NO_STATUS));
    }

    private static final String STATUS = "\"hostname\":\"h\",\"address\":\"10.0.0.1\",\"drbdVersion\":\"9.2.12\","
        + "\"dataVolumeId\":\"vol-0a\",\"dataVolumeGiB\":100,\"lvmReady\":true,\"configSha256\":null,\"metadata\":true,\"maxPeers\":5,\"up\":true,"
        + "\"adjustNeeded\":false,\"resource\":null";

    private static final BiFunction<String, JsonNode, NodeStatus> TO_STATUS =
        (id, result) -> Json.mapper().convertValue(result, NodeStatus.class);

    private static RunLedger.Memory observedAll(String... ids) {
        Map<String, NodeStatus> observed = new java.util.TreeMap<>();
        for (String id : ids) {
            observed.put(id, TO_STATUS.apply(id, json("{\"ok\":true," + STATUS + "}")));
        }
        return new RunLedger.Memory(observed, new RunCounters(1, 0, 0, List.of(), Map.of(), 1, List.of(), null));
    }

    @Test
    @DisplayName("a target's result replaces its status; a step that acts on the target alone leaves the others as fresh")
    void localStepReplacesTargetsOnly() {
        RunLedger.Memory after = RunLedger.after(observedAll("i-a", "i-b", "i-c"), new RunLedger.Finished(Step.CreateMetadata,
            List.of("i-a"), Map.of("i-a", json("{\"ok\":true,\"changed\":true," + STATUS.replace("\"up\":true",
                "\"up\":false") + "}")), 1, null), TO_STATUS);
        assertEquals(Boolean.FALSE, after.observed().get("i-a").up());
        assertEquals("CreateMetadata", after.observed().get("i-a").step());
        assertEquals(Boolean.TRUE, after.observed().get("i-b").up());
        assertEquals(List.of(), after.counters().staleStatus());
    }

    @Test
    @DisplayName("UpOrAdjust and SkipInitialSync make the members they did not run on stale until those report again")
    void stepThatChangesPeersMakesOthersStale() {
        for (Step step : List.of(Step.UpOrAdjust, Step.SkipInitialSync)) {
            RunLedger.Memory after = RunLedger.after(observedAll("i-a", "i-b", "i-c"), new RunLedger.Finished(step,
                List.of("i-a"), Map.of("i-a", json("{\"ok\":true,\"changed\":true,\"settled\":true," + STATUS + "}")), 1,
                null), TO_STATUS);
            assertEquals(List.of("i-b", "i-c"), after.counters().staleStatus(), step.name());

            RunLedger.Memory unsettled = RunLedger.after(observedAll("i-a", "i-b"), new RunLedger.Finished(step,
                List.of("i-a", "i-b"), Map.of("i-a", json("{\"ok\":true,\"settled\":true," + STATUS + "}"),
                    "i-b", json("{\"ok\":true,\"settled\":false," + STATUS + "}")), 1, null), TO_STATUS);
            assertEquals(List.of("i-b"), unsettled.counters().staleStatus(),
                step.name() + ": a target whose wait ran out may have reported before its fellow targets acted");
            assertEquals(step.name(), unsettled.observed().get("i-b").step(), "its report is still the latest shown");

            RunLedger.Memory observed = RunLedger.after(after, new RunLedger.Finished(Step.ObserveNodes,
                List.of("i-a", "i-b", "i-c"), Map.of("i-a", json("{" + STATUS + "}"), "i-b", json("{" + STATUS + "}"),
                    "i-c", json("{" + STATUS + "}")), 1, null), TO_STATUS);
            assertEquals(List.of(), observed.counters().staleStatus());

            RunLedger.Memory local = RunLedger.after(after, new RunLedger.Finished(Step.WriteConfig, List.of("i-b"),
                Map.of("i-b", json("{\"ok\":true," + STATUS + "}")), 1, null), TO_STATUS);
            assertEquals(List.of("i-c"), local.counters().staleStatus(), "a report of its own makes a member fresh again");
        }
    }
}
