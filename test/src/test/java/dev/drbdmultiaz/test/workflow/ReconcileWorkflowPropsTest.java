package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.workflow.ReconcileWorkflowProps;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.autoscaling.IAutoScalingGroup;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.Role;

@DisplayName("ReconcileWorkflowProps")
class ReconcileWorkflowPropsTest {

    private IAutoScalingGroup group;
    private IRole role;

    @BeforeEach
    void setUp() {
        Stack stack = new Stack(new App(), "PropsTest");
        group = AutoScalingGroup.fromAutoScalingGroupName(stack, "Group", "replicas");
        role = Role.fromRoleArn(stack, "Role", "arn:aws:iam::123456789012:role/node");
    }

    @Test
    @DisplayName("builds with defaults: max-peers = node count + 2 (two spare bitmap slots, at most 31), no schedule,"
        + " registry destroyed with the stack")
    void buildsWithDefaults() {
        ReconcileWorkflowProps props = WorkflowFixture.props(group, role).build();
        assertEquals(5, props.getMaxPeers());
        assertEquals(17, WorkflowFixture.props(group, role).nodeCount(15).build().getMaxPeers());
        assertEquals(31, ReconcileWorkflowProps.defaultMaxPeers(29));
        assertEquals(31, ReconcileWorkflowProps.defaultMaxPeers(31));
        assertEquals(null, props.getReadjustSchedule());
        assertEquals(RemovalPolicy.DESTROY, props.getRegistryRemovalPolicy());
        assertEquals(ReconcileWorkflowProps.DEFAULT_CLUSTER_TAG_KEY, props.getClusterTagKey());
        assertEquals(dev.drbdmultiaz.model.NodeDocument.values().length, props.getDocumentNames().size());
    }

    @Test
    @DisplayName("hands the functions every setting they read from their environment, and no other")
    void handsTheFunctionsTheirSettings() {
        var inEnvironment = Arrays.stream(ReconcileSetting.values()).filter(ReconcileSetting::inEnvironment).toList();
        assertEquals(inEnvironment,
            List.copyOf(WorkflowFixture.props(group, role).build().getFunctionSettings().keySet()));
    }

    @Test
    @DisplayName("fails when a document is missing, naming it")
    void failsWithoutDocument() {
        Map<String, String> names = new TreeMap<>(WorkflowFixture.documentNames());
        names.remove("drbd-forget-peer");
        assertMessage("drbd-forget-peer", b -> b.documentNames(names));
    }

    @Test
    @DisplayName("fails on an unknown document key")
    void failsWithUnknownDocument() {
        Map<String, String> names = new TreeMap<>(WorkflowFixture.documentNames());
        names.put("drbd-promote", "Test-drbd-promote");
        assertMessage("unknown keys [drbd-promote]", b -> b.documentNames(names));
    }

    @Test
    @DisplayName("fails on an even node count")
    void failsWithEvenNodeCount() {
        assertMessage("nodeCount must be an odd number 3..15, got '4'", b -> b.nodeCount(4));
        // The same limit as drbd:nodeCount (ClusterSettings): both read ReconcileSetting.NODE_COUNT.
        assertMessage("nodeCount must be an odd number 3..15, got '17'", b -> b.nodeCount(17));
    }

    @Test
    @DisplayName("refuses names the node documents would refuse at SendCommand time")
    void refusesNamesTheDocumentsRefuse() {
        assertMessage("resourceName must be a lower-case letter", b -> b.resourceName("R0"));
        assertMessage("volumeGroup must be an LVM name", b -> b.volumeGroup("vg.data"));
        assertMessage("logicalVolume must be an LVM name", b -> b.logicalVolume("0lv"));
    }

    @Test
    @DisplayName("fails when max-peers cannot hold every other node")
    void failsWithTooFewPeers() {
        assertMessage("maxPeers must be at least 4 for nodeCount 5, got 3", b -> b.nodeCount(5).maxPeers(3));
        assertMessage("maxPeers must be 1..31, got '32'", b -> b.nodeCount(5).maxPeers(32));
    }

    @Test
    @DisplayName("fails on an eviction time that is not whole minutes 0..10080")
    void failsWithBadEvictAfter() {
        assertMessage("evictAfter must be whole minutes 0..10080 (0: never), got 30 seconds",
                b -> b.evictAfter(software.amazon.awscdk.Duration.seconds(30)));
        assertMessage("evictAfter must be whole minutes 0..10080 (0: never), got 7 days 1 minute",
                b -> b.evictAfter(software.amazon.awscdk.Duration.minutes(10081)));
    }

    @Test
    @DisplayName("fails on a resync bound that is not whole hours 1..47, under a lifecycle action's global timeout")
    void failsWithBadMaxResync() {
        assertMessage("maxResync must be whole hours 1..47 (under a lifecycle action's 48-hour global timeout), got 2"
                + " days", b -> b.maxResync(Duration.hours(48)));
        assertMessage("maxResync must be whole hours 1..47 (under a lifecycle action's 48-hour global timeout), got 1"
                + " hour 30 minutes", b -> b.maxResync(Duration.minutes(90)));
    }

    @Test
    @DisplayName("fails on a schedule that is not whole minutes")
    void failsWithFractionalSchedule() {
        assertMessage("readjustSchedule must be whole minutes", b -> b.readjustSchedule(Duration.seconds(90)));
    }

    @Test
    @DisplayName("fails on a poll interval below one second")
    void failsWithSubSecondPoll() {
        assertMessage("pollInterval must be whole seconds 1..300", b -> b.pollInterval(Duration.millis(500)));
    }

    @Test
    @DisplayName("fails when the functions jar does not exist, saying how to build it")
    void failsWithoutJar() {
        assertMessage("mvn -pl functions package", b -> b.functionsJar(Path.of("/nonexistent/functions.jar")));
    }

    @Test
    @DisplayName("fails when the launch and terminate hooks share a name")
    void failsWithSameHookNames() {
        assertMessage("must differ", b -> b.terminateHookName(WorkflowFixture.LAUNCH_HOOK));
    }

    @Test
    @DisplayName("fails on a blank config hash and on a cluster tag key in the aws: namespace")
    void failsOnBlankHashAndReservedTag() {
        assertMessage("configHash must not be blank", b -> b.configHash(" "));
        assertMessage("must not start with 'aws:'", b -> b.clusterTagKey("aws:cluster"));
    }

    private void assertMessage(String expected, UnaryOperator<ReconcileWorkflowProps.Builder> change) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> change.apply(WorkflowFixture.props(group, role)).build());
        assertTrue(e.getMessage().contains(expected), "message '" + e.getMessage() + "' lacks '" + expected + "'");
    }
}
