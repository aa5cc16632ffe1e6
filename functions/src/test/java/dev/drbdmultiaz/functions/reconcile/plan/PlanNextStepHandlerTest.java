package dev.drbdmultiaz.functions.reconcile.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandFailure;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PlanNextStep: the failure route and the command timeout")
class PlanNextStepHandlerTest {

    private final PlanNextStepHandler handler = new PlanNextStepHandler(SimulatedCluster.settings(30),
        new HeartbeatSchedule(Duration.ofHours(1), Clock.systemUTC()));

    private static ClusterSnapshot cluster() {
        return new ClusterSnapshot("g", 1, List.of(
            new Member("i-1", "eu-west-1a", "InService", 0, null, null, null),
            new Member("i-2", "eu-west-1b", "InService", 1, null, null, null),
            new Member("i-3", "eu-west-1c", "InService", 2, null, null, null)), List.of());
    }

    @Test
    @DisplayName("after a failed node step plans NodeStepFailed, whatever the cluster needs")
    void failedStepStops() {
        CommandFailure failure = new CommandFailure("InstallDrbd", "i-1", List.of("i-1"), "Failed", 100, "apt: no",
            "InstallDrbd failed on i-1: the command ended Failed (exit code 100)");
        ReconcileState state = new ReconcileState(null, null, null, cluster(), null, null, null,
            new Collected(Collected.FAILED, Map.of(), RunCounters.initial(), failure), null);

        PlannedStep plan = handler.handle(state);

        assertEquals(Step.NodeStepFailed.name(), plan.step());
        assertEquals(failure.message(), plan.reason());
        assertEquals(List.of(), plan.targets());
    }

    @Test
    @DisplayName("a node step waits for its event the document's timeout plus delivery, scaled like every wait")
    void commandTimeoutOfANodeStep() {
        PlannedStep first = handler.handle(new ReconcileState(null, null, null, cluster(), null,
            null, null, null, null));

        assertEquals(Step.ObserveNodes.name(), first.step());
        assertEquals(NodeDocument.STATUS.executionTimeoutSeconds() + CommandTimeout.DELIVERY_ALLOWANCE_SECONDS,
            first.commandTimeoutSeconds());
        assertEquals(30, CommandTimeout.seconds(Step.ObserveNodes, 0.25));
        assertEquals(0, CommandTimeout.seconds(Step.Converged, 1.0));
    }

    @Test
    @DisplayName("no wait for an event outlasts a third of the shortest lifecycle hook timeout")
    void commandTimeoutIsCapped() {
        assertEquals(800, CommandTimeout.seconds(Step.InstallDrbd, 1.0));
        assertEquals(CommandTimeout.LONGEST_WAIT_SECONDS * 3,
            dev.drbdmultiaz.model.ReconcileSetting.MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS);
    }
}
