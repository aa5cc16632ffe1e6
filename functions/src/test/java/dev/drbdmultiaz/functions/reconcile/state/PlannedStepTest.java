package dev.drbdmultiaz.functions.reconcile.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.model.Step;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PlannedStep factories")
class PlannedStepTest {

    @Test
    @DisplayName("runOnNodes sends the document without a wait, mutating as its step is")
    void runOnNodes() throws Exception {
        PlannedStep write = PlannedStep.runOnNodes(Step.WriteConfig, "why", "doc", List.of("i-1"),
            Map.of("ResourceName", "r0"), 5);
        assertEquals(new PlannedStep("WriteConfig", "why", "doc", List.of("i-1"), Map.of("ResourceName", "r0"),
            true, false, 0, 5, null), write);
        assertEquals(Json.readTree("""
            {"step":"WriteConfig","reason":"why","documentName":"doc","targets":["i-1"],
             "parameters":{"ResourceName":"r0"},"mutating":true,"heartbeat":false,"waitSeconds":0,
             "pollSeconds":5,"commandTimeoutSeconds":0}"""), json(write));

        assertEquals(false, PlannedStep.runOnNodes(Step.ObserveNodes, "why", "status", List.of("i-1"), Map.of(), 5)
            .mutating());
    }

    @Test
    @DisplayName("waitThenObserve is the read-only WaitForConnections step with its wait")
    void waitThenObserve() {
        assertEquals(new PlannedStep("WaitForConnections", "peers", "status", List.of("i-1", "i-2"), Map.of(),
                false, false, 20, 5, null),
            PlannedStep.waitThenObserve(dev.drbdmultiaz.model.Step.WaitForConnections, "peers", 20, "status",
                List.of("i-1", "i-2"), Map.of(), 5));
    }

    @Test
    @DisplayName("converged sends nothing and carries the lifecycle plan")
    void converged() {
        LifecyclePlan lifecycle = new LifecyclePlan(List.of(), List.of(), List.of());
        assertEquals(new PlannedStep("Converged", "done", null, List.of(), Map.of(), false, false, 0, 5, lifecycle),
            PlannedStep.converged("done", lifecycle, 5));
    }

    private static JsonNode json(PlannedStep plan) throws Exception {
        return Json.readTree(Json.write(plan));
    }
}
