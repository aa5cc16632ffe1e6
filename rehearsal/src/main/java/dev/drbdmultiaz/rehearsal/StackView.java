package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.infra.replica.ReplicaNodes;
import dev.drbdmultiaz.infra.workflow.DeployTrigger;
import dev.drbdmultiaz.infra.workflow.WorkflowHandler;
import dev.drbdmultiaz.model.CustomResourceTypes;
import dev.drbdmultiaz.model.ReconcileSetting;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the rehearsal's driver and checks read from the deployed stack: the group and its hooks,
 * the registry table, the reconcile state machine with its definition and substitutions, the
 * cluster id. All of it comes from the template, none of it is a second copy of the stack.
 */
public final class StackView {

    private final DeployedStack stack;
    private final String groupLogicalId;
    private final String tableLogicalId;
    private final String reconcileLogicalId;
    private final String removalLogicalId;

    StackView(DeployedStack stack) {
        this.stack = stack;
        this.groupLogicalId = only(stack.logicalIds("AWS::AutoScaling::AutoScalingGroup"), "Auto Scaling group");
        this.tableLogicalId = only(stack.logicalIds("AWS::DynamoDB::Table"), "DynamoDB table");
        // The state machines the deploy functions start, by the Refs in their environment.
        this.reconcileLogicalId = deployFunctionReference("STATE_MACHINE_ARN");
        this.removalLogicalId = deployFunctionReference("REMOVAL_STATE_MACHINE_ARN");
        if (reconcileLogicalId == null) {
            throw new IllegalStateException("The deploy function's STATE_MACHINE_ARN names no state machine");
        }
    }

    /** The logical id a {@code {"Ref"}} in the deploy onEvent function's environment names, or null. */
    private String deployFunctionReference(String variable) {
        JsonNode ref = stack.resource(functionLogicalId(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT))
            .path("Properties").path("Environment").path("Variables").path(variable).path("Ref");
        return ref.isTextual() ? ref.asText() : null;
    }

    private static String only(List<String> ids, String what) {
        if (ids.size() != 1) {
            throw new IllegalStateException("The template has " + ids.size() + " " + what + "s, the rehearsal expects one");
        }
        return ids.get(0);
    }

    public DeployedStack deployed() {
        return stack;
    }

    public String groupName() {
        return stack.ref(groupLogicalId);
    }

    /** The group's DesiredCapacity in the template (drbd:nodeCount). */
    public int desiredCapacity() {
        return stack.property(groupLogicalId, "DesiredCapacity").asInt();
    }

    /**
     * The group's AutoScalingInstanceRefresh update policy, which CloudFormation applies when the
     * launch template changes.
     */
    public RefreshPreferences refreshPreferences() {
        JsonNode preferences = stack.resource(groupLogicalId).path("UpdatePolicy").path("AutoScalingInstanceRefresh")
            .path("Preferences");
        if (preferences.isMissingNode()) {
            throw new IllegalStateException("The group has no AutoScalingInstanceRefresh update policy in the template");
        }
        // Defaults as CloudFormation documents them for the Rolling strategy (aws-cdk-lib InstanceRefreshOptions).
        return new RefreshPreferences(preferences.path("MinHealthyPercentage").asInt(100),
            preferences.path("MaxHealthyPercentage").asInt(110),
            preferences.path("ScaleInProtectedInstances").asText("Wait"));
    }

    /** The instance refresh preferences the rehearsal models. */
    public record RefreshPreferences(int minHealthyPercentage, int maxHealthyPercentage,
        String scaleInProtectedInstances) {
    }

    /** The group's hook of {@code autoscaling:EC2_INSTANCE_LAUNCHING} or {@code _TERMINATING}. */
    public JsonNode hook(String transition) {
        for (JsonNode hook : stack.property(groupLogicalId, "LifecycleHookSpecificationList")) {
            if (transition.equals(hook.path("LifecycleTransition").asText())) {
                return hook;
            }
        }
        throw new IllegalStateException("The group has no " + transition + " lifecycle hook in the template");
    }

    public String launchHookName() {
        return hook("autoscaling:EC2_INSTANCE_LAUNCHING").path("LifecycleHookName").asText();
    }

    public String terminateHookName() {
        return hook("autoscaling:EC2_INSTANCE_TERMINATING").path("LifecycleHookName").asText();
    }

    public String tableLogicalId() {
        return tableLogicalId;
    }

    public String tableName() {
        return stack.ref(tableLogicalId);
    }

    public String reconcileStateMachineArn() {
        return stack.ref(reconcileLogicalId);
    }

    /** The definition file CloudFormation would read from the asset bucket (cdk.out's copy). */
    public Path reconcileDefinition() {
        return definitionOf(reconcileLogicalId);
    }

    /** DefinitionSubstitutions, resolved. */
    public Map<String, String> reconcileSubstitutions() {
        return substitutionsOf(reconcileLogicalId);
    }

    /** A state machine's definition asset (DefinitionS3Location's key, in cdk.out). */
    private Path definitionOf(String stateMachineLogicalId) {
        String key = stack.property(stateMachineLogicalId, "DefinitionS3Location").path("Key").asText();
        return stack.synthesized().asset(key.replaceFirst("\\.[a-z]+$", ""));
    }

    private Map<String, String> substitutionsOf(String stateMachineLogicalId) {
        Map<String, String> substitutions = new TreeMap<>();
        stack.property(stateMachineLogicalId, "DefinitionSubstitutions").properties()
            .forEach(e -> substitutions.put(e.getKey(), e.getValue().asText()));
        return substitutions;
    }

    /** Whether {@code cdk destroy} deletes the data volumes (drbd:removalPolicy destroy: the removal state machine). */
    public boolean removesDataVolumes() {
        return removalLogicalId != null;
    }

    /** The data-volume removal state machine (only with {@link #removesDataVolumes()}). */
    public String removalStateMachineArn() {
        return stack.ref(requireRemoval());
    }

    /** The removal's definition file, as {@link #reconcileDefinition()}. */
    public Path removalDefinition() {
        return definitionOf(requireRemoval());
    }

    /** The removal's DefinitionSubstitutions, resolved. */
    public Map<String, String> removalSubstitutions() {
        return substitutionsOf(requireRemoval());
    }

    /** The data-volume removal resource: the one custom resource of type Custom::DrbdDataVolumeRemoval. */
    public String removalResourceLogicalId() {
        return only(stack.logicalIds(CustomResourceTypes.DATA_VOLUME_REMOVAL), "data-volume removal resource");
    }

    /** Its properties as CloudFormation sends them, resolved. */
    public JsonNode removalResourceProperties() {
        return stack.resolve(stack.resource(removalResourceLogicalId()).path("Properties"));
    }

    private String requireRemoval() {
        if (removalLogicalId == null) {
            throw new IllegalStateException("The stack keeps its data volumes (drbd:removalPolicy retain): it has no"
                + " removal state machine");
        }
        return removalLogicalId;
    }

    /** The logical id of the function that runs {@code handler}. */
    public String functionLogicalId(WorkflowHandler handler) {
        return only(stack.logicalIds(r -> "AWS::Lambda::Function".equals(r.path("Type").asText())
            && handler.handler().equals(r.path("Properties").path("Handler").asText())), handler.id() + " function");
    }

    /**
     * The physical name of the function of a workflow handler, by the handler's id (the Task state
     * it serves, e.g. DescribeCluster, or TriggerReconcile).
     */
    public String functionName(String handlerId) {
        WorkflowHandler handler = Arrays.stream(WorkflowHandler.values())
            .filter(h -> h.id().equals(handlerId)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No workflow handler " + handlerId + "; known: "
                + Arrays.stream(WorkflowHandler.values()).map(WorkflowHandler::id).toList()));
        return stack.ref(functionLogicalId(handler));
    }

    /** The log group the nodes' command output goes to (COMMAND_LOG_GROUP_NAME of the functions). */
    public String commandLogGroup() {
        return stack.environment(functionLogicalId(WorkflowHandler.SEND_NODE_COMMAND)).get("COMMAND_LOG_GROUP_NAME");
    }

    /** The deploy trigger: the one custom resource of type Custom::DrbdReconcile. */
    public String deployResourceLogicalId() {
        return only(stack.logicalIds(DeployTrigger.RESOURCE_TYPE), "deploy custom resource");
    }

    /** The deploy trigger's properties as CloudFormation sends them (ServiceToken, ConfigHash, ...), resolved. */
    public JsonNode deployResourceProperties() {
        return stack.resolve(stack.resource(deployResourceLogicalId()).path("Properties"));
    }

    private String waiterLogicalId() {
        return only(stack.logicalIds(r -> "AWS::StepFunctions::StateMachine".equals(r.path("Type").asText())
            && r.path("Properties").has("DefinitionString")), "Provider waiter state machine");
    }

    /** The CDK Provider framework's waiter state machine (it polls isComplete). */
    public String waiterStateMachineArn() {
        return stack.ref(waiterLogicalId());
    }

    /** The waiter's definition, its Fn::Join resolved. */
    public String waiterDefinition() {
        return stack.property(waiterLogicalId(), "DefinitionString").asText();
    }

    /** The DRBD port the nodes replicate over (DRBD_PORT of the functions). */
    public int drbdPort() {
        return ReconcileSetting.DRBD_PORT.readInt(planEnvironment()::get);
    }

    /** How many WaitForConnections observations a run makes before it gives up (CONNECT_WAIT_MAX_ATTEMPTS). */
    public int connectWaitMaxAttempts() {
        return ReconcileSetting.CONNECT_WAIT_MAX_ATTEMPTS.readInt(planEnvironment()::get);
    }

    /** How long a member may stay unreachable before a run replaces it (EVICT_AFTER_SECONDS, AWS time). */
    public int evictAfterSeconds() {
        return ReconcileSetting.EVICT_AFTER_SECONDS.readInt(planEnvironment()::get);
    }

    /** AGENT_WAIT_MAX_ATTEMPTS: agent checks before a run goes on without (or fails on) offline agents. */
    public int agentWaitMaxAttempts() {
        return ReconcileSetting.AGENT_WAIT_MAX_ATTEMPTS.readInt(planEnvironment()::get);
    }

    /** POLL_SECONDS of the functions: WaitForCommand's poll and the unit of their backoffs. */
    public int pollSeconds() {
        return ReconcileSetting.POLL_SECONDS.readInt(planEnvironment()::get);
    }

    private Map<String, String> planEnvironment() {
        return stack.environment(functionLogicalId(WorkflowHandler.PLAN_NEXT_STEP));
    }

    /**
     * The replicas' LaunchTemplateData as the template writes it (unresolved: the parts the rehearsal
     * reads, block device mappings and tag specifications, are literals).
     */
    public JsonNode replicaLaunchTemplateData() {
        String id = only(stack.logicalIds("AWS::EC2::LaunchTemplate").stream()
            .filter(l -> stack.resource(l).path("Properties").path("LaunchTemplateData").has("BlockDeviceMappings"))
            .toList(), "replica launch template");
        return stack.resource(id).path("Properties").path("LaunchTemplateData");
    }

    /**
     * What CloudFormation compares, deploy after deploy, to decide whether the group's
     * LaunchTemplate Version changes (and its AutoScalingInstanceRefresh update policy starts a
     * refresh), resolved as CloudFormation resolves it. The template's group says where its
     * version comes from: {@code Fn::GetAtt [template, LatestVersionNumber]} changes with every
     * change of the launch template's data; {@code Fn::GetAtt [resource, ...]} of the custom
     * resource of type {@value ReplicaNodes#GROUP_VERSION_RESOURCE_TYPE} changes only when
     * CloudFormation updates that resource, which it does only when the resource's properties
     * change (its fingerprint: everything of the launch template but the data volume's size).
     * Either way the group then gets the template's newest version. Any other source fails.
     */
    public JsonNode groupVersionTrigger() {
        JsonNode launchTemplate = stack.resource(groupLogicalId).path("Properties").path("LaunchTemplate");
        JsonNode version = launchTemplate.path("Version").path("Fn::GetAtt");
        String templateId = launchTemplate.path("LaunchTemplateId").path("Ref").asText("");
        if (version.isArray() && version.size() == 2) {
            String source = version.get(0).asText();
            String sourceType = stack.resource(source).path("Type").asText();
            if (source.equals(templateId) && "LatestVersionNumber".equals(version.get(1).asText())) {
                return stack.resolve(stack.resource(templateId).path("Properties").path("LaunchTemplateData"));
            }
            if (ReplicaNodes.GROUP_VERSION_RESOURCE_TYPE.equals(sourceType)) {
                return stack.resolve(stack.resource(source).path("Properties"));
            }
        }
        throw new IllegalStateException("The rehearsal does not know when CloudFormation changes the group's launch"
            + " template version " + launchTemplate);
    }

    /** {@link #replicaLaunchTemplateData()} as CloudFormation resolves it (image id, security group, profile). */
    public JsonNode resolvedReplicaLaunchTemplateData() {
        return stack.resolve(replicaLaunchTemplateData());
    }

    /** The cluster id the functions serve (re-adjust events name it). */
    public String clusterId() {
        return stack.environment(functionLogicalId(WorkflowHandler.TRIGGER_RECONCILE)).get("CLUSTER_ID");
    }
}
