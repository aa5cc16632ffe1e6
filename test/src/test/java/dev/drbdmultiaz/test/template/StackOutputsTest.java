package dev.drbdmultiaz.test.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.CloudAssembly;

@DisplayName("Stack outputs and environment")
class StackOutputsTest {

    @Test
    @DisplayName("outputs name the group, the bastion, the node security group and the node documents")
    void outputsPresent() {
        DrbdMultiAzStack stack = TemplateFixture.defaultStack();
        Template t = TemplateFixture.defaultTemplate();
        String group = TemplateFixture.logicalId(stack.getReplicaNodes().getAutoScalingGroup());
        String bastion = TemplateFixture.logicalId(stack.getBastion().getHost().getInstance());
        String nodeGroup = TemplateFixture.logicalId(stack.getReplicaNodes().getSecurityGroup());
        t.hasOutput("AutoScalingGroupName", Map.of("Value", Map.of("Ref", group)));
        t.hasOutput("BastionInstanceId", Map.of("Value", Map.of("Ref", bastion)));
        t.hasOutput("ReplicaSecurityGroupId", Map.of("Value", Map.of("Fn::GetAtt", List.of(nodeGroup, "GroupId"))));
        Map<String, Object> docs = TemplateFixture.map(t.findOutputs("NodeDocumentNames").get("NodeDocumentNames"));
        String expected = String.join(",", stack.getNodeDocuments().getDocuments().entrySet().stream()
                .map(e -> e.getKey() + "=<" + TemplateFixture.logicalId(e.getValue()) + ">")
                .toList());
        assertEquals(expected, TemplateFixture.flatten(docs.get("Value")));
    }

    @Test
    @DisplayName("outputs name the state machine, the alarm topic, the command output log group and the cluster id of re-adjust events")
    void workflowOutputsPresent() {
        DrbdMultiAzStack stack = TemplateFixture.defaultStack();
        Template t = TemplateFixture.defaultTemplate();
        String stateMachine = TemplateFixture.logicalId(
                (software.constructs.IConstruct) stack.getWorkflow().getStateMachine());
        String topic = TemplateFixture.logicalId((software.constructs.IConstruct) stack.getWorkflow().getAlarmTopic());
        t.hasOutput("ReconcileStateMachineArn", Map.of("Value", Map.of("Ref", stateMachine)));
        t.hasOutput("AlarmTopicArn", Map.of("Value", Map.of("Ref", topic)));
        String commandOutput = TemplateFixture.logicalId(
                (software.constructs.IConstruct) stack.getWorkflow().getCommandOutputLogGroup());
        t.hasOutput("CommandOutputLogGroup", Map.of("Value", Map.of("Ref", commandOutput)));
        Map<String, Object> clusterId = TemplateFixture.map(t.findOutputs("ClusterId").get("ClusterId"));
        assertEquals("DrbdMultiAz/r0", TemplateFixture.flatten(clusterId.get("Value")));
    }

    @Test
    @DisplayName("the stack is pinned to the configured region and zones, and synth needs no context lookup")
    void regionAndZonesWithoutLookup() {
        App app = TemplateFixture.app(Map.of(
                "drbd:region", "eu-west-1",
                "drbd:availabilityZones", List.of("eu-west-1a", "eu-west-1b", "eu-west-1c")));
        DrbdMultiAzStack stack = TemplateFixture.stack(app);
        assertEquals("eu-west-1", stack.getRegion());
        assertEquals(List.of("eu-west-1a", "eu-west-1b", "eu-west-1c"), stack.getAvailabilityZones());
        CloudAssembly assembly = app.synth();
        List<?> missing = assembly.getManifest().getMissing();
        assertTrue(missing == null || missing.isEmpty(), () -> "context lookups needed: " + missing);
    }
}
