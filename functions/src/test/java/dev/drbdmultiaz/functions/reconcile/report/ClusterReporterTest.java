package dev.drbdmultiaz.functions.reconcile.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.PeerStatus;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.ResourceStatus;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ReportClusterStatus")
class ClusterReporterTest {

    @Test
    @DisplayName("reports every node's AZ, node-id, role, disk, connections and sync progress, with conditions")
    void report() throws Exception {
        ClusterSnapshot cluster = new ClusterSnapshot("drbd-asg", 1, List.of(
            new Member("i-a", "eu-west-1a", "InService", 0, null, null, null),
            new Member("i-b", "eu-west-1b", "InService", 3, null, null, null)),
            List.of(new DepartingMember("i-gone", 1, "ip-gone", "10.0.9.9", null)));
        NodeStatus a = new NodeStatus(true, "ip-a", "10.0.1.1", "9.2.12", "vol-a", true, "h", true, true, false,
            new ResourceStatus("Secondary", "UpToDate", List.of(new PeerStatus(3, "ip-b", "Connected", "Inconsistent", 100.0))));
        NodeStatus b = new NodeStatus(true, "ip-b", "10.0.2.2", "9.2.12", "vol-b", true, "h", true, true, false,
            new ResourceStatus("Secondary", "Inconsistent", List.of(new PeerStatus(0, "ip-a", "Connected", "UpToDate", 42.5))));
        PlannedStep plan = PlannedStep.converged("Every member runs the desired DRBD config",
            new LifecyclePlan(List.of(), List.of(), List.of(cluster.departing().get(0))), 5);
        ReconcileState state = new ReconcileState(null, new Trigger("launch", "i-b"), null, cluster, null, plan, null,
            new Collected(Collected.SUCCEEDED, Map.of("i-a", a, "i-b", b),
                new RunCounters(9, 4, 0, List.of("i-b"), Map.of("1", List.of("i-a")), 1, List.of(), null), null), null);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ReportClusterStatusHandler(Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC))
            .handleRequest(new ByteArrayInputStream(Json.write(state).getBytes(StandardCharsets.UTF_8)), out, null);

        assertEquals(Json.mapper().readTree("""
            {"groupName":"drbd-asg","trigger":{"source":"launch","instanceId":"i-b"},
             "reportedAt":"2024-05-01T12:00:00Z","rounds":9,"mutatingRounds":4,
             "nodes":[
              {"instanceId":"i-a","availabilityZone":"eu-west-1a","nodeId":0,"hostname":"ip-a","address":"10.0.1.1",
               "role":"Secondary","disk":"UpToDate","syncPercent":100.0,
               "connections":[{"peer":"ip-b","peerNodeId":3,"state":"Connected","peerDisk":"Inconsistent","syncPercent":100.0}]},
              {"instanceId":"i-b","availabilityZone":"eu-west-1b","nodeId":3,"hostname":"ip-b","address":"10.0.2.2",
               "role":"Secondary","disk":"Inconsistent","syncPercent":42.5,
               "connections":[{"peer":"ip-a","peerNodeId":0,"state":"Connected","peerDisk":"UpToDate","syncPercent":42.5}]}],
             "departed":[{"instanceId":"i-gone","nodeId":1,"released":true}],
             "conditions":[
              {"type":"Converged","status":"True","reason":"AllStepsDone","message":"Every member runs the desired DRBD config"},
              {"type":"Synced","status":"False","reason":"Resyncing","message":"Not UpToDate yet: i-b Inconsistent 42.5%"},
              {"type":"Reachable","status":"True","reason":"AllAgentsOnline","message":"Every member's SSM agent answers"},
              {"type":"DepartedForgotten","status":"True","reason":"NoneLeft","message":"No departed member holds a node-id"},
              {"type":"DataVolumesCleared","status":"Unknown","reason":"NotScanned",
               "message":"The data volumes were not scanned: the run did not reach DescribeDataVolumes"},
              {"type":"LaunchTemplateCurrent","status":"True","reason":"AllCurrent",
               "message":"The group names no launch template version"}]}
            """), Json.mapper().readTree(out.toString(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("a rolling update names the outdated members, and the Primary to demote when it waits for one")
    void rollingUpdateNamesThePrimaryToDemote() {
        List<Member> members = List.of(new Member("i-new", "eu-west-1a", "InService", 0, null, null, null),
            new Member("i-old", "eu-west-1b", "InService", 1, null, null, null),
            new Member("i-old2", "eu-west-1c", "InService", 2, null, null, null));
        Map<String, NodeStatus> observed = Map.of("i-new", node("Secondary"), "i-old", node("Primary"),
            "i-old2", node("Secondary"));
        ClusterReport.Condition early = launchTemplateCondition(new ClusterSnapshot("drbd-asg", 1, members, List.of(),
            null, List.of("i-old"), "7", List.of("i-old", "i-old2")), observed);
        assertEquals(new ClusterReport.Condition("LaunchTemplateCurrent", "False", "RollingUpdate", "Members not on"
            + " launch template version 7: [i-old, i-old2]; the group's instance refresh replaces them one at a time,"
            + " the Primary i-old (node-id 1) last, once demoted"), early, "the Primary is not waited for yet");

        ClusterReport.Condition waiting = launchTemplateCondition(new ClusterSnapshot("drbd-asg", 1, members, List.of(),
            null, List.of("i-old"), "7", List.of("i-old")), observed);
        assertEquals("False", waiting.status());
        assertEquals("DemotePrimary", waiting.reason());
        org.junit.jupiter.api.Assertions.assertTrue(waiting.message().startsWith("The rolling update waits for i-old"
            + " (node-id 1), the last member not on launch template version 7: DRBD Primary"), waiting::message);

        ClusterReport.Condition rolling = launchTemplateCondition(new ClusterSnapshot("drbd-asg", 1, members, List.of(),
            null, List.of(), "7", List.of("i-old2")), observed);
        assertEquals(new ClusterReport.Condition("LaunchTemplateCurrent", "False", "RollingUpdate", "Members not on"
            + " launch template version 7: [i-old2]; the group's instance refresh replaces them one at a time"), rolling);

        assertEquals(new ClusterReport.Condition("LaunchTemplateCurrent", "True", "AllCurrent",
            "Every member runs launch template version 7"), launchTemplateCondition(new ClusterSnapshot("drbd-asg", 1,
                members, List.of(), null, List.of(), "7", List.of()), observed));
    }

    private static NodeStatus node(String role) {
        return new NodeStatus(true, "ip", "10.0.1.1", "9.2.12", "vol", true, "h", true, true, false,
            new ResourceStatus(role, "UpToDate", List.of()));
    }

    private static ClusterReport.Condition launchTemplateCondition(ClusterSnapshot cluster,
        Map<String, NodeStatus> observed) {
        ReconcileState state = new ReconcileState(null, new Trigger("launch", "i-new"), null, cluster, null, null, null,
            new Collected(Collected.SUCCEEDED, observed, null, null), null);
        return ClusterReporter.report(state, Instant.parse("2024-05-01T12:00:00Z")).conditions().stream()
            .filter(c -> c.type().equals(ClusterReporter.LAUNCH_TEMPLATE_CURRENT)).findFirst().orElseThrow();
    }
}
