package dev.drbdmultiaz.functions.reconcile.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.drbdmultiaz.functions.common.exceptions.ClusterNotFoundException;
import dev.drbdmultiaz.functions.common.exceptions.LaunchesPendingException;
import dev.drbdmultiaz.functions.common.exceptions.NodeIdsExhaustedException;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.registry.RegistryTable;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.RunCounters;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import dev.drbdmultiaz.functions.testing.MotoServer;
import dev.drbdmultiaz.functions.testing.Tables;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsResponse;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;

@DisplayName("DescribeCluster on moto (Auto Scaling + DynamoDB)")
class ClusterDescriberMotoTest {

    private static MotoServer moto;
    private static DynamoDbClient dynamoDb;
    private static AutoScalingClient autoScaling;
    private static String launchTemplateId;

    private String table;
    private MembershipRegistry registry;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.start();
        dynamoDb = moto.dynamoDb();
        autoScaling = moto.autoScaling();
        Ec2Client ec2 = moto.ec2();
        String imageId = ec2.describeImages(b -> b.owners("amazon")).images().get(0).imageId();
        launchTemplateId = ec2.createLaunchTemplate(b -> b.launchTemplateName("drbd-" + UUID.randomUUID())
                .launchTemplateData(d -> d.imageId(imageId).instanceType(InstanceType.T3_SMALL)))
            .launchTemplate().launchTemplateId();
    }

    @AfterAll
    static void stopMoto() {
        moto.close();
    }

    @BeforeEach
    void newTable() {
        table = Tables.createRegistry(dynamoDb);
        registry = new MembershipRegistry(dynamoDb, table, Clock.systemUTC());
    }

    private static String group(int size) {
        String name = "drbd-asg-" + UUID.randomUUID();
        autoScaling.createAutoScalingGroup(b -> b.autoScalingGroupName(name)
            .launchTemplate(LaunchTemplateSpecification.builder().launchTemplateId(launchTemplateId).build())
            .minSize(size).maxSize(size + 2).desiredCapacity(size)
            .availabilityZones("eu-west-1a", "eu-west-1b", "eu-west-1c"));
        return name;
    }

    private ClusterDescriber describer(String group) {
        return new ClusterDescriber(autoScaling, registry, group);
    }

    private static ReconcileState state(ClusterSnapshot previous, Map<String, NodeStatus> observed) {
        return state(null, previous, observed);
    }

    private static ReconcileState state(Trigger trigger, ClusterSnapshot previous, Map<String, NodeStatus> observed) {
        Collected collected = new Collected(null, observed, RunCounters.initial(), null);
        return new ReconcileState("arn:exec", trigger, null, previous, null, null, null, collected, null);
    }

    @Test
    @DisplayName("gives the group's members node-ids 0, 1, 2 and keeps them on the next run")
    void stableNodeIds() {
        String group = group(3);

        ClusterSnapshot first = describer(group).describe(state(null, Map.of()));
        ClusterSnapshot second = describer(group).describe(state(first, Map.of()));

        assertEquals(List.of(0, 1, 2), first.members().stream().map(Member::nodeId).toList());
        assertEquals(first.members(), second.members());
        assertEquals(1, first.snapshot());
        assertEquals(2, second.snapshot());
        assertEquals(List.of(), first.departing());
        first.members().forEach(m -> assertTrue(m.availabilityZone().startsWith("eu-west-1"), m.toString()));
        assertEquals(3, registry.read().nodeIdOwners().size());
    }

    @Test
    @DisplayName("lists the members protected from scale-in, as the group shows them")
    void scaleInProtected() {
        String group = group(3);
        ClusterSnapshot first = describer(group).describe(state(null, Map.of()));
        String protectedMember = first.members().get(1).instanceId();
        autoScaling.setInstanceProtection(b -> b.autoScalingGroupName(group).instanceIds(protectedMember)
            .protectedFromScaleIn(true));

        ClusterSnapshot second = describer(group).describe(state(first, Map.of()));

        assertEquals(List.of(), first.scaleInProtected());
        assertEquals(List.of(protectedMember), second.scaleInProtected());
    }

    @Test
    @DisplayName("reports a terminated member as departing and gives its replacement a new node-id, reusing the old one only after release")
    void replacement() {
        String group = group(3);
        ClusterSnapshot before = describer(group).describe(state(null, Map.of()));
        Member leaving = before.members().get(2);

        autoScaling.terminateInstanceInAutoScalingGroup(b -> b.instanceId(leaving.instanceId())
            .shouldDecrementDesiredCapacity(false));
        ClusterSnapshot after = describer(group).describe(state(before, Map.of()));

        assertEquals(List.of(leaving.instanceId()), after.departing().stream().map(DepartingMember::instanceId).toList());
        assertEquals(2, after.departing().get(0).nodeId());
        Member replacement = after.members().stream()
            .filter(m -> before.member(m.instanceId()).isEmpty()).findFirst().orElseThrow();
        assertEquals(3, replacement.nodeId(), "node-id 2 is held until every survivor forgot the departed peer");

        registry.release(leaving.instanceId(), 2);
        autoScaling.setDesiredCapacity(b -> b.autoScalingGroupName(group).desiredCapacity(4));
        ClusterSnapshot grown = describer(group).describe(state(after, Map.of()));

        assertEquals(List.of(0, 1, 2, 3), grown.members().stream().map(Member::nodeId).toList());
        assertEquals(List.of(), grown.departing());
    }

    @Test
    @DisplayName("records the hostname and address a node reported in the registry")
    void recordsEndpoint() {
        String group = group(3);
        ClusterSnapshot first = describer(group).describe(state(null, Map.of()));
        String id = first.members().get(0).instanceId();
        NodeStatus status = new NodeStatus(true, "ip-10-0-1-23", "10.0.1.23", null, null, false, null, null, false,
            false, null);

        ClusterSnapshot second = describer(group).describe(state(first, Map.of(id, status)));

        assertEquals("ip-10-0-1-23", second.members().get(0).hostname());
        MembershipRegistry.RegistryMember stored = registry.read().members().get(id);
        assertEquals("ip-10-0-1-23", stored.hostname());
        assertEquals("10.0.1.23", stored.address());
    }

    @Test
    @DisplayName("fails with ClusterNotFoundException when the group does not exist")
    void failsWithoutGroup() {
        ClusterNotFoundException e = assertThrows(ClusterNotFoundException.class,
            () -> describer("no-such-group").describe(state(null, Map.of())));
        assertTrue(e.getMessage().contains("no-such-group"));
    }

    @Test
    @DisplayName("allocates the lowest free node-id and skips ids another writer claimed")
    void lowestFree() {
        dynamoDb.putItem(b -> b.tableName(table).item(Map.of(RegistryTable.KEY, RegistryTable.s("nodeid#0"),
            "instanceId", RegistryTable.s("i-other"))));

        int first = registry.allocateNodeId("i-a", new HashSet<>());
        int second = registry.allocateNodeId("i-b", new HashSet<>(List.of(first)));

        assertEquals(1, first, "id 0 is claimed although the caller did not know it");
        assertEquals(2, second);
    }

    @Test
    @DisplayName("fails with NodeIdsExhaustedException when all 32 node-ids are held")
    void failsWhenExhausted() {
        HashSet<Integer> taken = new HashSet<>();
        for (int i = 0; i < 32; i++) {
            registry.allocateNodeId("i-" + i, taken);
        }

        assertThrows(NodeIdsExhaustedException.class, () -> registry.allocateNodeId("i-33", new HashSet<>()));
    }

    @Test
    @SuppressWarnings("unchecked")
    @DisplayName("marks Pending:Wait members for launch and Terminating:Wait ones for terminate (lifecycle states moto lacks: mocked group)")
    void lifecycleStates() {
        AutoScalingClient mocked = mock(AutoScalingClient.class);
        List<Instance> instances = List.of(
            instance("i-0a", "Pending:Wait", "eu-west-1a"),
            instance("i-0b", "InService", "eu-west-1b"),
            instance("i-0c", "InService", "eu-west-1c"));
        when(mocked.describeAutoScalingGroups(any(Consumer.class))).thenReturn(response(instances));
        ClusterDescriber describer = new ClusterDescriber(mocked, registry, "g");
        ClusterSnapshot first = describer.describe(state(null, Map.of()));

        assertEquals(Member.LAUNCH, first.member("i-0a").orElseThrow().pendingAction());
        assertNull(first.member("i-0b").orElseThrow().pendingAction());

        when(mocked.describeAutoScalingGroups(any(Consumer.class))).thenReturn(response(List.of(
            instance("i-0a", "InService", "eu-west-1a"),
            instance("i-0b", "InService", "eu-west-1b"),
            instance("i-0c", "Terminating:Wait", "eu-west-1c"),
            instance("i-0d", "Pending", "eu-west-1c"))));
        ClusterSnapshot second = describer.describe(state(first, Map.of()));

        assertEquals(List.of("i-0a", "i-0b", "i-0d"), second.memberIds());
        assertEquals(List.of(new DepartingMember("i-0c", 2, null, null, DepartingMember.TERMINATE)), second.departing());
        assertEquals(3, second.member("i-0d").orElseThrow().nodeId());

        when(mocked.describeAutoScalingGroups(any(Consumer.class))).thenReturn(response(List.of(
            instance("i-0a", "InService", "eu-west-1a"),
            instance("i-0b", "InService", "eu-west-1b"),
            instance("i-0c", "Terminating:Proceed", "eu-west-1c"),
            instance("i-0d", "Pending", "eu-west-1c"))));
        assertEquals(List.of(new DepartingMember("i-0c", 2, null, null, null, true)),
            describer.describe(state(second, Map.of())).departing(),
            "after its terminate action the instance still runs while the group lists it (Terminating:Proceed)");
        when(mocked.describeAutoScalingGroups(any(Consumer.class))).thenReturn(response(List.of(
            instance("i-0a", "InService", "eu-west-1a"),
            instance("i-0b", "InService", "eu-west-1b"),
            instance("i-0d", "Pending", "eu-west-1c"))));
        assertEquals(List.of(new DepartingMember("i-0c", 2, null, null, null, false)),
            describer.describe(state(second, Map.of())).departing(), "gone from the group");
        assertEquals(MembershipRegistry.DEPARTING, registry.read().members().get("i-0c").status());
    }

    private static Instance instance(String id, String state, String az) {
        return Instance.builder().instanceId(id).lifecycleState(state).availabilityZone(az).healthStatus("Healthy").build();
    }

    @Test
    @SuppressWarnings("unchecked")
    @DisplayName("a deploy's run waits (LaunchesPendingException) while the group lists fewer instances than it desires; other runs go on")
    void deployWaitsForDesiredCapacity() {
        AutoScalingClient mocked = mock(AutoScalingClient.class);
        List<Instance> listed = List.of(
            instance("i-0a", "InService", "eu-west-1a"),
            instance("i-0b", "InService", "eu-west-1b"),
            instance("i-0c", "InService", "eu-west-1c"),
            instance("i-0d", "Terminating:Wait", "eu-west-1a"));
        when(mocked.describeAutoScalingGroups(any(Consumer.class))).thenReturn(response(listed, 5));
        ClusterDescriber describer = new ClusterDescriber(mocked, registry, "g");
        ReconcileState deploy = state(new Trigger(Trigger.DEPLOY, null), null, Map.of());
        ReconcileState launch = state(new Trigger(Trigger.LAUNCH, "i-0a"), null, Map.of());

        LaunchesPendingException waiting = assertThrows(LaunchesPendingException.class, () -> describer.describe(deploy));

        assertTrue(waiting.getMessage().contains("lists 3 of its desired 5 instances"), waiting.getMessage());
        assertEquals(List.of("i-0a", "i-0b", "i-0c"), describer.describe(launch).memberIds());
    }

    @Test
    @SuppressWarnings("unchecked")
    @DisplayName("members launched from another launch template version than the group's are outdated (moto reports"
        + " every instance on the template's default version: mocked group)")
    void outdatedMembers() {
        AutoScalingClient mocked = mock(AutoScalingClient.class);
        List<Instance> instances = List.of(
            instance("i-0a", "InService", "eu-west-1a").toBuilder().launchTemplate(t -> t.version("2")).build(),
            instance("i-0b", "InService", "eu-west-1b").toBuilder().launchTemplate(t -> t.version("1")).build(),
            instance("i-0c", "Pending:Wait", "eu-west-1c").toBuilder().launchTemplate(t -> t.version("2")).build(),
            instance("i-0d", "Terminating:Wait", "eu-west-1a").toBuilder().launchTemplate(t -> t.version("1")).build());
        when(mocked.describeAutoScalingGroups(any(Consumer.class))).thenReturn(DescribeAutoScalingGroupsResponse.builder()
            .autoScalingGroups(AutoScalingGroup.builder().autoScalingGroupName("g").instances(instances)
                .launchTemplate(t -> t.launchTemplateId("lt-1").version("2")).build()).build());

        ClusterSnapshot snapshot = new ClusterDescriber(mocked, registry, "g").describe(state(null, Map.of()));

        assertEquals("2", snapshot.launchTemplateVersion());
        assertEquals(List.of("i-0b"), snapshot.outdated(), "a departing instance is not a member to replace");
    }

    private static DescribeAutoScalingGroupsResponse response(List<Instance> instances) {
        return response(instances, null);
    }

    private static DescribeAutoScalingGroupsResponse response(List<Instance> instances, Integer desiredCapacity) {
        return DescribeAutoScalingGroupsResponse.builder().autoScalingGroups(AutoScalingGroup.builder()
            .autoScalingGroupName("g").desiredCapacity(desiredCapacity).instances(instances).build()).build();
    }
}
