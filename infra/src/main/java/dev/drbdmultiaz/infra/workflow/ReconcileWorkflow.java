package dev.drbdmultiaz.infra.workflow;

import static dev.drbdmultiaz.infra.workflow.Policies.statement;

import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.RegistryKeys;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.amazon.awscdk.services.stepfunctions.DefinitionBody;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.amazon.awscdk.services.stepfunctions.LogLevel;
import software.amazon.awscdk.services.stepfunctions.LogOptions;
import software.amazon.awscdk.services.stepfunctions.StateMachine;
import software.amazon.awscdk.services.stepfunctions.StateMachineType;
import software.constructs.Construct;
import software.constructs.IConstruct;

/**
 * The reconcile workflow of one DRBD cluster: the Step Functions state machine loaded from the
 * ASL file, the membership registry, the DRBD peer secret and the nodes' command output log
 * group; and, each in its own construct, the functions ({@link WorkflowFunctions}), the
 * EventBridge triggers ({@link EventTriggers}), the deploy trigger ({@link DeployTrigger}) and
 * the alarms ({@link WorkflowAlarms}).
 *
 * <p>The state machine only references the aliases of the functions it invokes; the trigger and
 * deploy functions reference the state machine. The lock function needs to describe executions
 * of the state machine, so the state machine gets a deterministic name and the lock function's
 * policy is built from that name, not from the state machine resource (which would be a cycle).
 */
public class ReconcileWorkflow extends Construct {

    /** ASL substitution: the key of the cluster tag (DescribeDataVolumes' filter). */
    public static final String CLUSTER_TAG_KEY_SUBSTITUTION = "ClusterTagKey";
    /** ASL substitution: the cluster id, the cluster tag's value. */
    public static final String CLUSTER_ID_SUBSTITUTION = "ClusterId";

    private final ReconcileWorkflowProps props;
    private final Table clusterTable;
    private final Secret secret;
    private final LogGroup commandOutput;
    private final Map<WorkflowHandler, WorkflowFunction> functions;
    private final Map<String, String> definitionSubstitutions;
    private final StateMachine stateMachine;
    private final Queue deadLetterQueue;
    private final EventTriggers triggers;
    private final DeployTrigger deploy;
    private final WorkflowAlarms alarms;

    public ReconcileWorkflow(Construct scope, String id, ReconcileWorkflowProps props) {
        super(scope, id);
        this.props = Objects.requireNonNull(props, "props must not be null");

        this.clusterTable = createRegistry();
        this.secret = createPeerSecret();
        this.commandOutput = createCommandOutputLogs();
        String stateMachineName = Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                .maxLength(80).separator("-").build());

        WorkflowFunctions workflowFunctions = new WorkflowFunctions(this, "Functions", WorkflowFunctionsProps.builder()
                .functionsJar(props.getFunctionsJar())
                .memoryMiB(props.getFunctionMemoryMiB())
                .logRetention(props.getLogRetention())
                .environment(commonEnvironment())
                .clusterTable(clusterTable)
                .group(props.getGroup())
                .documentNames(props.getDocumentNames())
                .clusterTagKey(props.getClusterTagKey())
                .clusterId(props.getClusterId())
                .stateMachineName(stateMachineName)
                .build());
        this.definitionSubstitutions = substitutions(workflowFunctions.getStateMachineFunctions(), props);
        this.stateMachine = createStateMachine(stateMachineName, workflowFunctions.getStateMachineFunctions());
        this.deadLetterQueue = createDeadLetterQueue();
        Optional<DataVolumeRemoval> volumeRemoval = props.getDataVolumeRemovalDefinition().map(definition ->
                new DataVolumeRemoval(this, "DataVolumeRemoval", DataVolumeRemovalProps.builder()
                        .definitionFile(definition)
                        .clusterTagKey(props.getClusterTagKey())
                        .clusterId(props.getClusterId())
                        .logRetention(props.getLogRetention())
                        .build()));
        WorkflowFunctions.StarterFunctions starters = workflowFunctions.addStarterFunctions(stateMachine,
                deadLetterQueue, volumeRemoval);
        WorkflowFunction completion = workflowFunctions.addCompletionFunction(deadLetterQueue);
        this.functions = allFunctions(workflowFunctions.getStateMachineFunctions(), starters, completion);
        new NodeCommandEvents(this, "NodeCommandEvents", NodeCommandEventsProps.builder()
                .completionFunction(completion.getAlias())
                .deadLetterQueue(deadLetterQueue)
                .documentNames(List.copyOf(props.getDocumentNames().values()))
                .build());

        this.triggers = new EventTriggers(this, "Triggers", EventTriggersProps.builder()
                .triggerFunction(starters.trigger().getAlias())
                .deadLetterQueue(deadLetterQueue)
                .group(props.getGroup())
                .launchHookName(props.getLaunchHookName())
                .terminateHookName(props.getTerminateHookName())
                .clusterId(props.getClusterId())
                .readjustSchedule(props.getReadjustSchedule())
                .build());
        this.deploy = new DeployTrigger(this, "Deploy", DeployTriggerProps.builder()
                .onEventHandler(starters.deployOnEvent().getAlias())
                .isCompleteHandler(starters.deployIsComplete().getAlias())
                .logRetention(props.getLogRetention())
                .configHash(props.getConfigHash())
                // The deploy reconcile needs the group's instances, the workflow and the nodes' secret grant.
                .reconcileDependencies(List.of(props.getGroup(), stateMachine, props.getNodeRole()))
                .dataVolumeRemoval(volumeRemoval.orElse(null))
                .build());
        this.alarms = new WorkflowAlarms(this, "Alarms", WorkflowAlarmsProps.builder()
                .clusterId(props.getClusterId())
                .stateMachine(stateMachine)
                .group(props.getGroup())
                .lifecycleHookTimeout(props.getLifecycleHookTimeout())
                .completeLifecycleActionsLogGroup(
                        functions.get(WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS).getLogGroup())
                .planDataVolumesLogGroup(functions.get(WorkflowHandler.PLAN_DATA_VOLUMES).getLogGroup())
                .deadLetterQueue(deadLetterQueue)
                .build());
    }

    /** The reconcile state machine (Standard). */
    public IStateMachine getStateMachine() {
        return stateMachine;
    }

    /** The SNS topic the alarms publish to (failed / timed-out executions, undelivered events). */
    public ITopic getAlarmTopic() {
        return alarms.getTopic();
    }

    /** The membership registry: lock item, members, node-id allocations. */
    public ITable getClusterTable() {
        return clusterTable;
    }

    /**
     * Where the SSM agent on the nodes writes the full output of every command the workflow sends
     * (GetCommandInvocation keeps only 24,000 characters of stdout and 8,000 of stderr).
     */
    public ILogGroup getCommandOutputLogGroup() {
        return commandOutput;
    }

    /** The DRBD peer-authentication secret; the nodes read it, nothing else. */
    public ISecret getSecret() {
        return secret;
    }

    /** Queue of trigger events that could not be delivered or processed. */
    public IQueue getDeadLetterQueue() {
        return deadLetterQueue;
    }

    /**
     * What must exist before the group launches an instance for its launch lifecycle action to
     * start a reconcile: the EventBridge rules and the trigger function with its invoke
     * permissions.
     *
     * @return constructs the group should depend on
     */
    public List<IConstruct> getLaunchEventPath() {
        return List.of(triggers, functions.get(WorkflowHandler.TRIGGER_RECONCILE).getAlias());
    }

    /** The deploy trigger: {@code cdk deploy} waits on it until the reconcile ends. */
    public CustomResource getDeployReconcile() {
        return deploy.getReconcile();
    }

    /**
     * The data-volume removal resource, if {@code cdk destroy} deletes the data volumes: the group
     * must depend on it (see {@link DeployTrigger#getVolumeRemoval()}).
     */
    public Optional<CustomResource> getDataVolumeRemoval() {
        return deploy.getVolumeRemoval();
    }

    /** The {@code live} alias of a handler's function. */
    public IFunction getHandlerAlias(WorkflowHandler handler) {
        return functions.get(handler).getAlias();
    }

    /** The substitutions passed to the ASL definition: variable name to alias ARN (a token). */
    public Map<String, String> getDefinitionSubstitutions() {
        return definitionSubstitutions;
    }

    /** The substitution variables this construct provides, for checks of the ASL file. */
    public static TreeSet<String> definitionSubstitutionKeys() {
        var keys = new TreeSet<String>();
        WorkflowHandler.stateMachineHandlers().forEach(h -> keys.add(h.substitutionKey()));
        keys.add(CLUSTER_TAG_KEY_SUBSTITUTION);
        keys.add(CLUSTER_ID_SUBSTITUTION);
        return keys;
    }

    private Table createRegistry() {
        return Table.Builder.create(this, "Registry")
                .partitionKey(Attribute.builder().name(RegistryKeys.PARTITION_KEY).type(AttributeType.STRING).build())
                // The node-step rounds in flight expire a day after their send (CommandRounds.EXPIRES_AT).
                .timeToLiveAttribute("expiresAt")
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .encryption(TableEncryption.AWS_MANAGED)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .removalPolicy(props.getRegistryRemovalPolicy())
                .build();
    }

    private Secret createPeerSecret() {
        Secret peerSecret = Secret.Builder.create(this, "PeerSecret")
                .description("DRBD peer authentication (shared-secret) of cluster " + props.getClusterId()
                        + "; read by the replica nodes only")
                .generateSecretString(SecretStringGenerator.builder()
                        .excludePunctuation(true)
                        .includeSpace(false)
                        .passwordLength(32)
                        .build())
                .build();
        peerSecret.grantRead(props.getNodeRole());
        Nag.suppress(peerSecret, false, Nag.reason("AwsSolutions-SMG4",
                "The DRBD shared secret is rotated by changing it and re-running the reconcile (write-config + "
                        + "adjust on every node together); an automatic rotation Lambda would break peer "
                        + "authentication between nodes that picked up different values"));
        return peerSecret;
    }

    /**
     * The log group of the nodes' command output. The node role may write only there: create
     * streams, put events, describe its streams; DescribeLogGroups (the agent's existence check)
     * has no resource-level permission. It may not create groups.
     */
    private LogGroup createCommandOutputLogs() {
        LogGroup group = LogGroup.Builder.create(this, "CommandOutput")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        props.getNodeRole().addToPrincipalPolicy(PolicyStatement.Builder.create()
                .sid("WriteCommandOutput")
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"))
                .resources(List.of(group.getLogGroupArn()))
                .build());
        props.getNodeRole().addToPrincipalPolicy(statement("FindCommandOutputGroup", List.of("*"),
                "logs:DescribeLogGroups"));
        Nag.suppress(props.getNodeRole(), true, Nag.reason("AwsSolutions-IAM5",
                "The node role writes command output only into this stack's CommandOutput group: its ARN ends in"
                        + " ':*' (the group's streams); logs:DescribeLogGroups, which the SSM agent calls to find the"
                        + " group, supports no resource-level permissions",
                RegexAppliesTo.builder().regex("/^Resource::<[A-Za-z0-9]+CommandOutput[A-Za-z0-9]+\\.Arn>$/g").build(),
                Nag.ANY_RESOURCE));
        return group;
    }

    private Map<String, String> commonEnvironment() {
        Map<String, String> env = new TreeMap<>();
        env.put("CLUSTER_TABLE_NAME", clusterTable.getTableName());
        env.put("AUTO_SCALING_GROUP_NAME", props.getGroup().getAutoScalingGroupName());
        env.put("LAUNCH_HOOK_NAME", props.getLaunchHookName());
        env.put("TERMINATE_HOOK_NAME", props.getTerminateHookName());
        env.put("CLUSTER_ID", props.getClusterId());
        props.getFunctionSettings().forEach((setting, value) -> env.put(setting.environmentVariable(), value));
        // Only the ARN: the nodes read the value themselves (drbd-write-config).
        env.put("SECRET_ARN", secret.getSecretArn());
        props.getDocumentNames().forEach((file, name) ->
                env.put(NodeDocument.ofBaseName(file).orElseThrow().environmentVariable(), name));
        env.put("COMMAND_LOG_GROUP_NAME", commandOutput.getLogGroupName());
        return env;
    }

    private static Map<String, String> substitutions(Map<WorkflowHandler, WorkflowFunction> stateMachineFunctions,
            ReconcileWorkflowProps props) {
        Map<String, String> map = new TreeMap<>();
        stateMachineFunctions.forEach((handler, function) ->
                map.put(handler.substitutionKey(), function.getAlias().getFunctionArn()));
        // DescribeDataVolumes filters on the cluster tag the launch template puts on every volume.
        map.put(CLUSTER_TAG_KEY_SUBSTITUTION, props.getClusterTagKey());
        map.put(CLUSTER_ID_SUBSTITUTION, props.getClusterId());
        return Collections.unmodifiableMap(map);
    }

    private StateMachine createStateMachine(String name, Map<WorkflowHandler, WorkflowFunction> invoked) {
        // Vended-logs prefix: keeps the CloudWatch Logs resource policy under its size limit.
        LogGroup logs = LogGroup.Builder.create(this, "ExecutionLogs")
                .logGroupName("/aws/vendedlogs/states/" + name)
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        StateMachine machine = StateMachine.Builder.create(this, "StateMachine")
                // Deterministic name: the lock and deploy functions' policies name its executions.
                .stateMachineName(name)
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromFile(AslDefinitionLoader.stage(props.getDefinitionFile()).toString()))
                .definitionSubstitutions(definitionSubstitutions)
                // Execution data is what operators read (per-node results, report); by design it
                // holds no secret, only the secret's ARN.
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(true).build())
                .tracingEnabled(true)
                .build();
        WorkflowHandler.stateMachineHandlers().forEach(h -> invoked.get(h).getAlias().grantInvoke(machine));
        grantDataVolumes(machine);
        Nag.suppress(machine, true, Nag.reason("AwsSolutions-IAM5",
                "Step Functions log delivery (logs:*LogDelivery, PutResourcePolicy, DescribeLogGroups) and "
                        + "X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) support no resource-level "
                        + "permissions; ec2:DescribeVolumes supports none either", Nag.ANY_RESOURCE),
                Nag.reason("AwsSolutions-IAM5", "Volume ids are unknown at synth time (every launch creates one);"
                        + " CreateTags, ModifyVolume and DeleteVolume on volumes are limited by the condition aws:ResourceTag/"
                        + props.getClusterTagKey() + " = cluster id, CreateTags to the two owner tag keys",
                        Nag.ANY_VOLUME));
        return machine;
    }

    /**
     * The EC2 integrations of the data-volume states: DescribeVolumes (no resource-level
     * permission), CreateTags of the owner tags, ModifyVolume (GrowDataVolumes) and DeleteVolume, each only on volumes that carry
     * this cluster's tag (EC2 "Actions, resources, and condition keys": aws:ResourceTag on volume,
     * aws:TagKeys on CreateTags).
     */
    private void grantDataVolumes(StateMachine machine) {
        machine.addToRolePolicy(Policies.describeVolumes());
        machine.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("TagDataVolumes")
                .actions(List.of("ec2:CreateTags"))
                .resources(List.of(Policies.volumes(this)))
                .conditions(Map.of("StringEquals", Policies.ofCluster(props.getClusterTagKey(), props.getClusterId()),
                        "ForAllValues:StringEquals", Map.of("aws:TagKeys", List.of(ClusterTags.INSTANCE_ID,
                                ClusterTags.NODE_ID))))
                .build());
        machine.addToRolePolicy(Policies.deleteClusterVolumes(this, props.getClusterTagKey(), props.getClusterId()));
        machine.addToRolePolicy(Policies.modifyClusterVolumes(this, props.getClusterTagKey(), props.getClusterId()));
    }

    private Queue createDeadLetterQueue() {
        Queue queue = Queue.Builder.create(this, "TriggerDeadLetters")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        Nag.suppress(queue, false, Nag.reason("AwsSolutions-SQS3",
                "This queue is itself the dead-letter queue of the trigger rules and of the trigger function"));
        return queue;
    }

    private static Map<WorkflowHandler, WorkflowFunction> allFunctions(
            Map<WorkflowHandler, WorkflowFunction> stateMachineFunctions, WorkflowFunctions.StarterFunctions starters,
            WorkflowFunction completion) {
        Map<WorkflowHandler, WorkflowFunction> all = new EnumMap<>(stateMachineFunctions);
        all.put(WorkflowHandler.COMPLETE_NODE_COMMAND, completion);
        all.put(WorkflowHandler.TRIGGER_RECONCILE, starters.trigger());
        all.put(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT, starters.deployOnEvent());
        all.put(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE, starters.deployIsComplete());
        return Collections.unmodifiableMap(all);
    }
}
