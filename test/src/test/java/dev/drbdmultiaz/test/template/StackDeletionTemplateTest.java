package dev.drbdmultiaz.test.template;

import static dev.drbdmultiaz.test.template.TemplateFixture.list;
import static dev.drbdmultiaz.test.template.TemplateFixture.map;
import static dev.drbdmultiaz.test.template.TemplateFixture.props;
import static dev.drbdmultiaz.test.template.TemplateFixture.ref;
import static dev.drbdmultiaz.test.template.TemplateFixture.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.replica.ReplicaNodes;
import dev.drbdmultiaz.model.CustomResourceTypes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

/**
 * What {@code cdk destroy} leaves behind, per {@code drbd:removalPolicy}: the data volumes outlive
 * their instances by design (DeleteOnTermination off), so only the removal resource, deleted after
 * the group, can delete them; every other resource CloudFormation deletes unless its DeletionPolicy
 * says otherwise.
 */
@DisplayName("Stack deletion (drbd:removalPolicy)")
class StackDeletionTemplateTest {

    private static final Map<String, Object> DESTROY = Map.of("drbd:removalPolicy", "destroy");

    /** Logical id to type of every resource that stack deletion does not delete. */
    private static Map<String, String> kept(Template t) {
        Map<String, String> kept = new TreeMap<>();
        map(t.toJSON().get("Resources")).forEach((id, value) -> {
            Map<String, Object> resource = map(value);
            Object policy = resource.get("DeletionPolicy");
            if (policy != null && !"Delete".equals(policy)) {
                kept.put(id, resource.get("Type") + " (" + policy + ")");
            }
        });
        return kept;
    }

    private static String onlyId(Template t, String type) {
        Map<String, Map<String, Object>> found = resources(t, type);
        assertEquals(1, found.size(), type + ": " + found.keySet());
        return found.keySet().iterator().next();
    }

    @Test
    @DisplayName("retain (the default): no removal resource, and only the VPC flow logs are kept besides the data volumes")
    void retainKeepsVolumesAndFlowLogs() {
        Template t = TemplateFixture.defaultTemplate();

        assertEquals(Map.of(), resources(t, CustomResourceTypes.DATA_VOLUME_REMOVAL));
        Map<String, String> kept = kept(t);
        assertEquals(1, kept.size(), "kept on deletion: " + kept);
        String flowLogs = resources(t, "AWS::EC2::FlowLog").values().stream()
                .map(flowLog -> ref(props(flowLog).get("LogGroupName"))).findFirst().orElseThrow();
        assertEquals("AWS::Logs::LogGroup (Retain)", kept.get(flowLogs), "kept: " + kept);
        assertEquals(1, resources(t, "AWS::StepFunctions::StateMachine").values().stream()
                .filter(m -> props(m).containsKey("DefinitionS3Location")).count(), "only the reconcile state machine");
    }

    @Test
    @DisplayName("destroy: nothing is kept, and the group depends on the removal resource, so it is deleted after the group")
    void destroyKeepsNothing() {
        Template t = TemplateFixture.template(DESTROY);

        assertEquals(Map.of(), kept(t));
        String removal = onlyId(t, CustomResourceTypes.DATA_VOLUME_REMOVAL);
        String group = onlyId(t, "AWS::AutoScaling::AutoScalingGroup");
        List<String> groupDependsOn = list(map(map(t.toJSON().get("Resources")).get(group)).get("DependsOn")).stream()
                .map(String::valueOf).toList();
        assertTrue(groupDependsOn.contains(removal), "group DependsOn " + groupDependsOn);
        String deploy = onlyId(t, CustomResourceTypes.DEPLOY_RECONCILE);
        assertEquals(props(resources(t, CustomResourceTypes.DEPLOY_RECONCILE).get(deploy)).get("ServiceToken"),
                props(resources(t, CustomResourceTypes.DATA_VOLUME_REMOVAL).get(removal)).get("ServiceToken"),
                "the deploy trigger's Provider serves the removal");
    }

    @Test
    @DisplayName("destroy: the removal state machine may delete only volumes with this cluster's tag, and the deploy functions start it")
    void removalIsScopedToTheCluster() {
        Template t = TemplateFixture.template(DESTROY);
        Map<String, Object> removal = resources(t, CustomResourceTypes.DATA_VOLUME_REMOVAL).values().iterator().next();
        String machine = ref(props(removal).get("StateMachineArn"));
        Map<String, Object> machineProps = props(resources(t, "AWS::StepFunctions::StateMachine").get(machine));
        String role = TemplateFixture.getAttId(machineProps.get("RoleArn"), "Arn");

        List<Map<String, Object>> statements = resources(t, "AWS::IAM::Policy").values().stream()
                .filter(p -> list(props(p).get("Roles")).stream().anyMatch(r -> role.equals(ref(r))))
                .flatMap(p -> list(map(props(p).get("PolicyDocument")).get("Statement")).stream().map(TemplateFixture::map))
                .toList();
        List<String> ec2Actions = statements.stream().flatMap(s -> actions(s).stream())
                .filter(a -> a.startsWith("ec2:")).sorted().toList();
        assertEquals(List.of("ec2:DeleteVolume", "ec2:DescribeVolumes"), ec2Actions);
        Map<String, Object> delete = statements.stream().filter(s -> actions(s).contains("ec2:DeleteVolume"))
                .findFirst().orElseThrow();
        String clusterId = TemplateFixture.defaultStack().getReplicaNodes().getClusterTagValue();
        assertEquals(Map.of("StringEquals", Map.of("aws:ResourceTag/" + ReplicaNodes.CLUSTER_TAG_KEY, clusterId)),
                delete.get("Condition"));
        assertTrue(TemplateFixture.flatten(delete.get("Resource")).endsWith(":volume/*"), delete.toString());
        assertEquals(Map.of(ReconcileWorkflowSubstitutions.CLUSTER_TAG_KEY, ReplicaNodes.CLUSTER_TAG_KEY,
                ReconcileWorkflowSubstitutions.CLUSTER_ID, clusterId), machineProps.get("DefinitionSubstitutions"));

        List<String> startedBy = resources(t, "AWS::Lambda::Function").entrySet().stream()
                .filter(f -> machine.equals(ref(TemplateFixture.flattenPath(props(f.getValue()),
                        "Environment", "Variables", "REMOVAL_STATE_MACHINE_ARN"))))
                .map(f -> String.valueOf(props(f.getValue()).get("Handler"))).sorted().collect(Collectors.toList());
        assertEquals(List.of("dev.drbdmultiaz.functions.deploy.DeployReconcileIsCompleteHandler::handleRequest",
                "dev.drbdmultiaz.functions.deploy.DeployReconcileOnEventHandler::handleRequest"), startedBy);
    }

    private static List<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        return action instanceof String s ? List.of(s) : list(action).stream().map(String::valueOf).toList();
    }

    /** The substitution names of the cluster tag (ReconcileWorkflow's constants). */
    private static final class ReconcileWorkflowSubstitutions {
        private ReconcileWorkflowSubstitutions() {
        }

        static final String CLUSTER_TAG_KEY = dev.drbdmultiaz.infra.workflow.ReconcileWorkflow.CLUSTER_TAG_KEY_SUBSTITUTION;
        static final String CLUSTER_ID = dev.drbdmultiaz.infra.workflow.ReconcileWorkflow.CLUSTER_ID_SUBSTITUTION;
    }
}
