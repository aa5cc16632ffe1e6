package dev.drbdmultiaz.functions.reconcile.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.reconcile.state.CommandSent;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The state document grows with the square of the node count (each node's status lists its
 * peers); Step Functions passes at most 256 KiB between states, and the goal is 64 KiB.
 */
@DisplayName("The state document of a 15-node cluster")
class StateSizeTest {

    private static final int GOAL_BYTES = 64 * 1024;

    @Test
    @DisplayName("stays under 64 KiB in every round of a fresh 15-node cluster")
    void fifteenNodes() {
        SimulatedCluster sim = new SimulatedCluster();
        sim.settings = SimulatedCluster.settings(20, 17);
        IntStream.range(0, 15).forEach(sim::fresh);

        List<String> steps = sim.runToConvergence();
        assertEquals("Converged", steps.get(steps.size() - 1));

        int largest = 0;
        String at = null;
        for (int round = 0; round < sim.plans.size(); round++) {
            PlannedStep plan = sim.plans.get(round);
            // Each round's state carries its plan and the collected reports of all nodes (the largest
            // at the end, once every node lists its 14 peers), plus the command sent for the plan.
            int size = size(sim, plan);
            if (size > largest) {
                largest = size;
                at = plan.step();
            }
        }
        System.out.printf("state document, 15 nodes: largest %d bytes (with the plan of %s), converged %d bytes%n",
            largest, at, size(sim, sim.plans.get(sim.plans.size() - 1)));
        assertTrue(largest < GOAL_BYTES, largest + " bytes at " + at);
    }

    private static int size(SimulatedCluster sim, PlannedStep plan) {
        Map<String, String> commandIds = new LinkedHashMap<>();
        plan.targets().forEach(id -> commandIds.put(id, "0123456789abcdef0123456789abcdef01234567"));
        ReconcileState state = new ReconcileState("arn:aws:states:eu-west-1:123456789012:execution:reconcile:x", null,
            null, sim.snapshot(), null, plan, new CommandSent(plan.step(), plan.documentName(), commandIds,
                "2024-05-01T11:59:00Z"), sim.collected, null);
        return Json.write(state).getBytes(StandardCharsets.UTF_8).length;
    }
}
