package dev.drbdmultiaz.functions.reconcile.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.drbdmultiaz.functions.common.exceptions.DepartureTimeoutException;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.state.AgentsStatus;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandFailure;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.DepartureStatus;
import dev.drbdmultiaz.functions.reconcile.state.ErrorInfo;
import dev.drbdmultiaz.functions.reconcile.state.FailureHandover;
import dev.drbdmultiaz.functions.reconcile.state.HeartbeatStatus;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.model.Step;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.CompleteLifecycleActionRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.RecordLifecycleActionHeartbeatRequest;

/** moto 5.2.1 answers CompleteLifecycleAction and RecordLifecycleActionHeartbeat with 500: mocked. */
@DisplayName("Lifecycle actions (mocked Auto Scaling)")
class LifecycleActionsTest {

    private final AutoScalingClient autoScaling = mock(AutoScalingClient.class);
    private final MembershipRegistry registry = mock(MembershipRegistry.class);
    private static final java.time.Instant NOW = java.time.Instant.parse("2024-05-01T12:00:00Z");
    private final LifecycleActions actions = new LifecycleActions(autoScaling, registry, "drbd-asg", "launch-hook",
        "terminate-hook", new HeartbeatSchedule(java.time.Duration.ofHours(1),
            java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC)));

    private static final ClusterSnapshot CLUSTER = new ClusterSnapshot("drbd-asg", 1, List.of(
        new Member("i-new", "eu-west-1a", "Pending:Wait", 3, null, null, Member.LAUNCH),
        new Member("i-old1", "eu-west-1b", "InService", 0, "ip-1", "10.0.1.1", null),
        new Member("i-old2", "eu-west-1c", "InService", 1, "ip-2", "10.0.2.2", null)),
        List.of(new DepartingMember("i-gone", 2, "ip-3", "10.0.3.3", DepartingMember.TERMINATE)));

    private static ReconcileState converged(LifecyclePlan lifecycle, Map<String, NodeStatus> observed) {
        PlannedStep plan = PlannedStep.converged("done", lifecycle, 5);
        return new ReconcileState("arn:exec", null, null, CLUSTER, null, plan, null,
            new Collected(Collected.SUCCEEDED, observed, RunCounters.initial(), null), null);
    }

    private static AutoScalingException noActiveAction() {
        return (AutoScalingException) AutoScalingException.builder().statusCode(400)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode("ValidationError")
                .errorMessage("No active Lifecycle Action found with instance ID i-new").build()).build();
    }

    @Test
    @DisplayName("continues pending launches and terminates by instance id, then releases the forgotten member")
    void completes() {
        DepartingMember gone = CLUSTER.departing().get(0);
        ReconcileState state = converged(new LifecyclePlan(List.of("i-new"), List.of("i-gone"), List.of(gone)),
            Map.of("i-new", new NodeStatus(true, "ip-9", "10.0.1.9", null, null, true, null, true, true, false, null)));

        LifecycleActions.ActionsResult result = actions.complete(state);

        ArgumentCaptor<CompleteLifecycleActionRequest> requests = ArgumentCaptor.forClass(CompleteLifecycleActionRequest.class);
        InOrder order = inOrder(autoScaling, registry);
        order.verify(autoScaling, org.mockito.Mockito.times(2)).completeLifecycleAction(requests.capture());
        order.verify(registry).release("i-gone", 2);
        assertEquals(List.of("launch-hook:i-new:CONTINUE", "terminate-hook:i-gone:CONTINUE"),
            requests.getAllValues().stream().map(r -> r.lifecycleHookName() + ":" + r.instanceId() + ":"
                + r.lifecycleActionResult()).toList());
        requests.getAllValues().forEach(r -> assertEquals(null, r.lifecycleActionToken()));
        verify(registry).recordEndpoint("i-new", "ip-9", "10.0.1.9");
        assertEquals(List.of("i-new", "i-gone"), result.continued());
        assertEquals(List.of("i-gone"), result.released());
    }

    @Nested
    @DisplayName("AwaitDeparture")
    class AwaitDeparture {

        private ReconcileState releasing(DepartureStatus previous) {
            PlannedStep plan = PlannedStep.releaseDeparting("let go", List.of("i-gone", "i-going"), 5);
            return new ReconcileState("arn:exec", null, null, CLUSTER, null, plan, null, null, null, null, null,
                previous);
        }

        private void groupLists(Instance... instances) {
            when(autoScaling.describeAutoScalingGroups(any(DescribeAutoScalingGroupsRequest.class))).thenReturn(
                DescribeAutoScalingGroupsResponse.builder().autoScalingGroups(AutoScalingGroup.builder()
                    .autoScalingGroupName("drbd-asg").instances(instances).build()).build());
        }

        private Instance instance(String id, String lifecycleState) {
            return Instance.builder().instanceId(id).lifecycleState(lifecycleState).build();
        }

        @Test
        @DisplayName("continues the terminate actions still waiting and reports who is still listed")
        void continuesAndWaits() {
            groupLists(instance("i-gone", "Terminating:Wait"), instance("i-going", "Terminating:Proceed"),
                instance("i-new", "Pending:Wait"));

            DepartureStatus status = actions.awaitDeparture(releasing(null), 1.0);

            ArgumentCaptor<CompleteLifecycleActionRequest> request =
                ArgumentCaptor.forClass(CompleteLifecycleActionRequest.class);
            verify(autoScaling).completeLifecycleAction(request.capture());
            assertEquals("terminate-hook:i-gone:CONTINUE", request.getValue().lifecycleHookName() + ":"
                + request.getValue().instanceId() + ":" + request.getValue().lifecycleActionResult());
            assertEquals(List.of("i-gone"), status.continued());
            assertEquals(List.of("i-going", "i-gone").stream().sorted().toList(), status.remaining());
            assertEquals(false, status.departed());
            assertEquals(1, status.attempt());
            assertEquals(5, status.waitSeconds());
        }

        @Test
        @DisplayName("departed once the group lists none of them (Terminated counts as gone); attempts count on")
        void departed() {
            groupLists(instance("i-gone", "Terminated"), instance("i-new", "Pending:Wait"));
            DepartureStatus waiting = new DepartureStatus(List.of(), List.of("i-gone"), 3, 20, false, false);

            DepartureStatus status = actions.awaitDeparture(releasing(waiting), 1.0);

            verify(autoScaling, never()).completeLifecycleAction(any(CompleteLifecycleActionRequest.class));
            assertTrue(status.departed());
            assertEquals(List.of(), status.remaining());
            assertEquals(4, status.attempt());
            assertEquals(0, status.waitSeconds());
        }

        @Test
        @DisplayName("fails with DepartureTimeoutException when an instance stays listed for every check")
        void bounded() {
            groupLists(instance("i-going", "Terminating:Proceed"));
            DepartureStatus last = new DepartureStatus(List.of(), List.of("i-going"),
                LifecycleActions.DEPARTURE_MAX_ATTEMPTS - 1, 30, false, false);

            DepartureTimeoutException e = assertThrows(DepartureTimeoutException.class,
                () -> actions.awaitDeparture(releasing(last), 1.0));
            assertTrue(e.getMessage().contains("i-going=Terminating:Proceed"), e.getMessage());
        }

        @Test
        @DisplayName("runs only after ReleaseDepartingMembers")
        void onlyAfterRelease() {
            assertThrows(InvalidStateDocumentException.class, () -> actions.awaitDeparture(
                converged(new LifecyclePlan(List.of(), List.of(), List.of()), Map.of()), 1.0));
        }
    }

    @Nested
    @DisplayName("unreachable members")
    class Unreachable {

        private final LifecycleActions evicting = new LifecycleActions(autoScaling, registry, "drbd-asg", "launch-hook",
            "terminate-hook", new HeartbeatSchedule(java.time.Duration.ofHours(1),
                java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC)), java.time.Duration.ofHours(1),
            java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));

        private ReconcileState withLost(String since, LifecyclePlan plan) {
            ClusterSnapshot cluster = new ClusterSnapshot("drbd-asg", 1, List.of(
                new Member("i-old1", "eu-west-1b", "InService", 0, "ip-1", "10.0.1.1", null),
                new Member("i-old2", "eu-west-1c", "InService", 1, "ip-2", "10.0.2.2", null, "2024-05-01T09:00:00Z"),
                new Member("i-lost", "eu-west-1a", "InService", 2, "ip-3", "10.0.3.3", null, since)), List.of());
            PlannedStep converged = PlannedStep.converged("done", plan, 5);
            return new ReconcileState("arn:exec", null, null, cluster, null, converged, null, null, null);
        }

        private LifecyclePlan plan(List<String> evictable, String held) {
            return new LifecyclePlan(List.of(), List.of(), List.of(), List.of(), List.of("i-lost"), evictable, held);
        }

        @Test
        @DisplayName("records since when a member is unreachable, and forgets it for one that answers again")
        void recordsAndClears() {
            evicting.complete(withLost(null, plan(List.of("i-lost"), null)));

            verify(registry).markUnreachable("i-lost", NOW);
            verify(registry).clearUnreachable("i-old2");
            verify(autoScaling, never()).setInstanceHealth(any(java.util.function.Consumer.class));
        }

        @Test
        @DisplayName("marks a member Unhealthy, not respecting the grace period, once unreachable for evictAfter")
        void evictsWhenDue() {
            LifecycleActions.ActionsResult result = evicting.complete(withLost("2024-05-01T11:00:00Z",
                plan(List.of("i-lost"), null)));

            ArgumentCaptor<java.util.function.Consumer<software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthRequest.Builder>> call =
                ArgumentCaptor.forClass(java.util.function.Consumer.class);
            verify(autoScaling).setInstanceHealth(call.capture());
            var builder = software.amazon.awssdk.services.autoscaling.model.SetInstanceHealthRequest.builder();
            call.getValue().accept(builder);
            var request = builder.build();
            assertEquals("i-lost", request.instanceId());
            assertEquals("Unhealthy", request.healthStatus());
            assertEquals(Boolean.FALSE, request.shouldRespectGracePeriod());
            assertEquals(List.of("i-lost"), result.evicted());
        }

        @Test
        @DisplayName("waits before evictAfter, and holds back a due eviction the planner found unsafe")
        void waitsAndHolds() {
            LifecycleActions.ActionsResult early = evicting.complete(withLost("2024-05-01T11:30:00Z",
                plan(List.of("i-lost"), null)));
            LifecycleActions.ActionsResult held = evicting.complete(withLost("2024-05-01T10:00:00Z",
                plan(List.of(), "i-lost stays unreachable, but only 1 of the 3 members ...")));

            verify(autoScaling, never()).setInstanceHealth(any(java.util.function.Consumer.class));
            assertEquals(List.of(), early.evicted());
            assertEquals(null, early.evictionHeld());
            assertTrue(held.evictionHeld().startsWith("i-lost stays unreachable"), held.toString());
        }

        @Test
        @DisplayName("ABANDONs the launch of an unreachable new member")
        void abandonsUnreachableLaunch() {
            LifecycleActions.ActionsResult result = evicting.complete(withLost(null, new LifecyclePlan(List.of(),
                List.of(), List.of(), List.of("i-lost"), List.of("i-lost"), List.of(), null)));

            ArgumentCaptor<CompleteLifecycleActionRequest> request = ArgumentCaptor.forClass(CompleteLifecycleActionRequest.class);
            verify(autoScaling).completeLifecycleAction(request.capture());
            assertEquals("launch-hook:i-lost:ABANDON", request.getValue().lifecycleHookName() + ":"
                + request.getValue().instanceId() + ":" + request.getValue().lifecycleActionResult());
            assertEquals(List.of("i-lost"), result.abandoned());
        }
    }

    @Test
    @DisplayName("keeps a departed member's node-id when the plan does not release it (I6)")
    void keepsUnforgotten() {
        actions.complete(converged(new LifecyclePlan(List.of(), List.of("i-gone"), List.of()), Map.of()));

        verify(registry, never()).release(anyString(), anyInt());
    }

    @Test
    @DisplayName("skips an instance that has no active lifecycle action")
    void toleratesNoAction() {
        when(autoScaling.completeLifecycleAction(any(CompleteLifecycleActionRequest.class))).thenThrow(noActiveAction());

        LifecycleActions.ActionsResult result = actions.complete(
            converged(new LifecyclePlan(List.of("i-new"), List.of(), List.of()), Map.of()));

        assertEquals(List.of("i-new"), result.skipped());
    }

    @Test
    @DisplayName("fails with InvalidStateDocumentException when the plan is not Converged")
    void failsBeforeConverged() {
        PlannedStep plan = PlannedStep.runOnNodes(Step.InstallDrbd, "x", "doc", List.of("i-1"), Map.of(), 5);
        ReconcileState state = new ReconcileState(null, null, null, CLUSTER, null, plan, null, null, null);

        assertThrows(InvalidStateDocumentException.class, () -> actions.complete(state));
        verify(autoScaling, never()).completeLifecycleAction(any(CompleteLifecycleActionRequest.class));
    }

    @Test
    @DisplayName("records a heartbeat for every waiting action of the group, launch and terminate, also of instances the run did not describe")
    void heartbeats() {
        groupInstances(instance("i-new", "Pending:Wait"), instance("i-late", "Pending:Wait"),
            instance("i-gone", "Terminating:Wait"), instance("i-old1", "InService"));

        HeartbeatStatus result = actions.recordHeartbeats(
            new ReconcileState(null, null, null, CLUSTER, null, null, null, null, null));

        ArgumentCaptor<RecordLifecycleActionHeartbeatRequest> request =
            ArgumentCaptor.forClass(RecordLifecycleActionHeartbeatRequest.class);
        verify(autoScaling, org.mockito.Mockito.times(3)).recordLifecycleActionHeartbeat(request.capture());
        assertEquals(List.of("launch-hook:i-new", "launch-hook:i-late", "terminate-hook:i-gone"),
            request.getAllValues().stream().map(r -> r.lifecycleHookName() + ":" + r.instanceId()).toList());
        assertEquals(List.of("i-new", "i-late", "i-gone"), result.instanceIds());
        assertEquals(NOW.toString(), result.recordedAt());
        assertEquals(NOW.plusSeconds(1200).toString(), result.dueAt(), "a third of the hook timeout later");
    }

    private void groupInstances(Instance... instances) {
        when(autoScaling.describeAutoScalingGroups(any(DescribeAutoScalingGroupsRequest.class))).thenReturn(
            DescribeAutoScalingGroupsResponse.builder().autoScalingGroups(AutoScalingGroup.builder()
                .autoScalingGroupName("drbd-asg").instances(instances).build()).build());
    }

    private static Instance instance(String id, String state) {
        return Instance.builder().instanceId(id).lifecycleState(state).build();
    }

    @Test
    @DisplayName("abandons only the launches of the nodes a NodeStepFailed error names; hands the rest over with a heartbeat")
    void abandonsNamedNodes() {
        groupInstances(instance("i-a", "Pending:Wait"), instance("i-b", "Pending:Wait"),
            instance("i-c", "Terminating:Wait"), instance("i-d", "InService"));
        CommandFailure failure = new CommandFailure("InstallDrbd", "i-a", List.of("i-a", "i-c"), "Failed", 4, "", "m");
        ReconcileState state = new ReconcileState(null, null, null, CLUSTER, null, null, null,
            new Collected(Collected.FAILED, Map.of(), RunCounters.initial(), failure),
            new ErrorInfo("NodeStepFailed", "{}"));

        FailureHandover result = actions.abandonPendingLaunches(state);

        ArgumentCaptor<CompleteLifecycleActionRequest> request = ArgumentCaptor.forClass(CompleteLifecycleActionRequest.class);
        verify(autoScaling).completeLifecycleAction(request.capture());
        assertEquals("i-a", request.getValue().instanceId());
        assertEquals("ABANDON", request.getValue().lifecycleActionResult());
        assertEquals("launch-hook", request.getValue().lifecycleHookName());
        assertEquals(List.of("i-a"), result.abandoned());
        assertEquals(List.of("i-b", "i-c"), result.handedOver(), "terminate actions are never abandoned here");
        ArgumentCaptor<RecordLifecycleActionHeartbeatRequest> heartbeats =
            ArgumentCaptor.forClass(RecordLifecycleActionHeartbeatRequest.class);
        verify(autoScaling, org.mockito.Mockito.times(2)).recordLifecycleActionHeartbeat(heartbeats.capture());
        assertEquals(List.of("launch-hook:i-b", "terminate-hook:i-c"), heartbeats.getAllValues().stream()
            .map(r -> r.lifecycleHookName() + ":" + r.instanceId()).toList());
    }

    @Test
    @DisplayName("hands every waiting action over for an error that names no node, tolerating finished actions")
    void handsOverForUnnamedError() {
        groupInstances(instance("i-a", "Pending:Wait"), instance("i-b", "Pending:Wait"),
            instance("i-c", "Terminating:Wait"));
        when(autoScaling.recordLifecycleActionHeartbeat(any(RecordLifecycleActionHeartbeatRequest.class)))
            .thenReturn(null).thenThrow(noActiveAction()).thenReturn(null);
        ReconcileState state = new ReconcileState(null, null, null, null, null, null, null, null,
            new ErrorInfo("dev.drbdmultiaz.functions.common.exceptions.ConvergenceTimeoutException", "timed out"));

        FailureHandover result = actions.abandonPendingLaunches(state);

        verify(autoScaling, never()).completeLifecycleAction(any(CompleteLifecycleActionRequest.class));
        assertEquals(List.of("i-a", "i-c"), result.handedOver());
        assertEquals(List.of("i-b"), result.skipped());
    }

    @Test
    @DisplayName("after three failed runs in a row it abandons every pending launch, and still hands terminate actions over")
    void abandonsAllAfterRepeatedFailures() {
        groupInstances(instance("i-a", "Pending:Wait"), instance("i-b", "Pending:Wait"),
            instance("i-c", "Terminating:Wait"));
        ReconcileState state = new ReconcileState(null,
            new dev.drbdmultiaz.functions.reconcile.state.Trigger("followup", null, LifecycleActions.MAX_HANDOVERS, 60),
            null, null, null, null, null, null,
            new ErrorInfo("dev.drbdmultiaz.functions.common.exceptions.ConvergenceTimeoutException", "timed out"));

        FailureHandover result = actions.abandonPendingLaunches(state);

        assertEquals(List.of("i-a", "i-b"), result.abandoned());
        assertEquals(List.of("i-c"), result.handedOver());
    }

    private static NodeStatus up(String peerConnections) {
        List<dev.drbdmultiaz.functions.reconcile.state.PeerStatus> peers = new java.util.ArrayList<>();
        for (String peer : peerConnections.split(",")) {
            String[] idAndState = peer.split("=");
            peers.add(new dev.drbdmultiaz.functions.reconcile.state.PeerStatus(Integer.valueOf(idAndState[0]), null,
                idAndState[1], "UpToDate", 100.0));
        }
        return new NodeStatus(true, "h", "a", "9.2.12", "vol", true, "sha", true, true, false,
            new dev.drbdmultiaz.functions.reconcile.state.ResourceStatus("Secondary", "UpToDate", peers));
    }

    @Test
    @DisplayName("for ConvergenceTimeoutException abandons the launch of a node that never connected, hands the others over")
    void abandonsUnconnectedLaunchesAfterConvergenceTimeout() {
        groupInstances(instance("i-new", "Pending:Wait"), instance("i-old1", "InService"),
            instance("i-old2", "InService"), instance("i-gone", "Terminating:Wait"));
        Map<String, NodeStatus> observed = Map.of(
            "i-new", up("0=Connecting,1=Connecting"),
            "i-old1", up("1=Connected,3=Connecting"),
            "i-old2", up("0=Connected,3=Connecting"));
        ReconcileState state = new ReconcileState(null, null, null, CLUSTER, null, null, null,
            new Collected(Collected.SUCCEEDED, observed, RunCounters.initial(), null),
            new ErrorInfo("dev.drbdmultiaz.functions.common.exceptions.ConvergenceTimeoutException", "timed out"));

        FailureHandover result = actions.abandonPendingLaunches(state);

        assertEquals(List.of("i-new"), result.abandoned());
        assertEquals(List.of("i-gone"), result.handedOver(), "a terminate action is handed over, never abandoned");
    }

    @Test
    @DisplayName("for ResyncTimeoutException abandons the launch of the member whose resync did not finish")
    void abandonsUnsyncedLaunchesAfterResyncTimeout() {
        groupInstances(instance("i-new", "Pending:Wait"), instance("i-old1", "InService"),
            instance("i-old2", "InService"), instance("i-gone", "Terminating:Wait"));
        NodeStatus syncing = new NodeStatus(true, "h", "a", "9.2.12", "vol", true, "sha", true, true, false,
            new dev.drbdmultiaz.functions.reconcile.state.ResourceStatus("Secondary", "Inconsistent", List.of()));
        Map<String, NodeStatus> observed = Map.of("i-new", syncing,
            "i-old1", up("1=Connected,3=Connected"), "i-old2", up("0=Connected,3=Connected"));
        ReconcileState state = new ReconcileState(null, null, null, CLUSTER, null, null, null,
            new Collected(Collected.SUCCEEDED, observed, RunCounters.initial(), null),
            new ErrorInfo("dev.drbdmultiaz.functions.common.exceptions.ResyncTimeoutException", "not in sync"));

        FailureHandover result = actions.abandonPendingLaunches(state);

        assertEquals(List.of("i-new"), result.abandoned());
        assertEquals(List.of("i-gone"), result.handedOver());
    }

    @Test
    @DisplayName("abandons only the offline nodes' launches for AgentsOffline")
    void abandonsOffline() {
        groupInstances(instance("i-a", "Pending:Wait"), instance("i-b", "Pending:Wait"));
        ReconcileState state = new ReconcileState(null, null, null, null,
            new AgentsStatus(false, true, List.of("i-b"), 30, 30), null, null, null,
            new ErrorInfo("AgentsOffline", "agents offline"));

        assertEquals(List.of("i-b"), actions.abandonPendingLaunches(state).abandoned());
        assertEquals(List.of("i-a"), actions.abandonPendingLaunches(state).handedOver());
    }

    @Test
    @DisplayName("fails with the SDK error for an Auto Scaling error other than a missing action")
    void failsOnOtherErrors() {
        when(autoScaling.completeLifecycleAction(any(CompleteLifecycleActionRequest.class))).thenThrow(
            AutoScalingException.builder().statusCode(403).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("AccessDenied").errorMessage("no").build()).build());

        assertThrows(AutoScalingException.class, () -> actions.complete(
            converged(new LifecyclePlan(List.of("i-new"), List.of(), List.of()), Map.of())));
    }
}
