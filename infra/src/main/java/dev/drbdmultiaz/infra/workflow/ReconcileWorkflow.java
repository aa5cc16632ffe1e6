package dev.drbdmultiaz.infra.workflow;

import dev.drbdmultiaz.model.NodeDocument;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Names;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.UniqueResourceNameOptions;
import software.amazon.awscdk.customresources.Provider;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.MetricProps;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.MetricFilter;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
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
 * ASL file, one Java Lambda per handler (SnapStart, invoked through its {@code live} alias), the
 * membership registry, the DRBD peer secret, the triggers (deploy custom resource, lifecycle
 * hook events, re-adjust event and schedule) and the alarms.
 *
 * <p>The state machine only references the aliases of the functions it invokes; the trigger and
 * deploy functions reference the state machine. The lock function needs to describe executions
 * of the state machine, so the state machine gets a deterministic name and the lock function's
 * policy is built from that name, not from the state machine resource (which would be a cycle).
 */
public class ReconcileWorkflow extends Construct {

    /** Source of the custom re-adjust event (documented in README). */
    public static final String READJUST_EVENT_SOURCE = "drbd-multiaz";
    /** Detail-type of the custom re-adjust event; {@code detail.clusterId} selects the cluster. */
    public static final String READJUST_EVENT_DETAIL_TYPE = "Reconcile Requested";
    /** Name of the alias every function is invoked through (SnapStart runs on published versions only). */
    public static final String ALIAS_NAME = "live";


    /**
     * How long CloudFormation waits for the deploy custom resource: its ServiceTimeout, at most and
     * by default 3600 s (CloudFormation template reference, AWS::CloudFormation::CustomResource).
     * The Provider's total timeout is the same, so the framework never outwaits CloudFormation.
     */
    public static final Duration DEPLOY_SERVICE_TIMEOUT = Duration.hours(1);
    /** How often the Provider framework asks isComplete whether the deploy's reconcile ended. */
    public static final Duration DEPLOY_QUERY_INTERVAL = Duration.seconds(30);
    /**
     * The deploy gives up this long before CloudFormation would, so that its reason (where the
     * reconcile is) reaches CloudFormation in time: a poll interval, cold starts, the response
     * PUT's retries. Without it the deploy would end in CloudFormation's bare timeout.
     */
    public static final Duration DEPLOY_REPORT_MARGIN = Duration.minutes(5);

    /** The JSON log field a function sets to the name of the alarm its log line should raise. */
    public static final String ALARM_LOG_FIELD = "alarm";
    /** The alarm (and metric) of an eviction held back for quorum; the Lambda logs it as {@link #ALARM_LOG_FIELD}. */
    public static final String EVICTION_HELD_ALARM = "EvictionHeld";
    /** Namespace of the metrics the stack derives from function logs, followed by the cluster id. */
    public static final String METRIC_NAMESPACE_PREFIX = "drbd-multiaz/";

    /** The TerminationHeld alarm fires after this many lifecycle hook timeouts in Terminating:Wait. */
    public static final int HELD_TERMINATION_HOOK_TIMEOUTS = 4;
    private static final Duration HELD_TERMINATION_PERIOD = Duration.minutes(5);

    private static final String LAMBDA_BASIC_EXECUTION_POLICY =
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

    private final ReconcileWorkflowProps props;
    private final Table clusterTable;
    private final Secret secret;
    private final LogGroup commandOutput;
    private final String stateMachineName;
    private final Map<WorkflowHandler, Function> functions = new EnumMap<>(WorkflowHandler.class);
    private final Map<WorkflowHandler, Alias> aliases = new EnumMap<>(WorkflowHandler.class);
    private final Map<String, String> definitionSubstitutions;
    private final StateMachine stateMachine;
    private final Queue deadLetterQueue;
    private final CustomResource deployReconcile;
    private Construct triggers;
    private final Topic alarmTopic;

    public ReconcileWorkflow(Construct scope, String id, ReconcileWorkflowProps props) {
        super(scope, id);
        this.props = Objects.requireNonNull(props, "props must not be null");

        this.clusterTable = createRegistry();
        this.secret = createPeerSecret();
        this.commandOutput = createCommandOutputLogs();
        this.stateMachineName = Names.uniqueResourceName(this, UniqueResourceNameOptions.builder()
                .maxLength(80).separator("-").build());

        Construct functionScope = new Construct(this, "Functions");
        Map<String, String> environment = commonEnvironment();
        for (WorkflowHandler handler : WorkflowHandler.stateMachineHandlers()) {
            Map<String, String> own = environment;
            if (handler == WorkflowHandler.START_FOLLOW_UP_RECONCILE) {
                // Built from the name: a reference to the state machine would be a cycle (it invokes this function).
                own = new TreeMap<>(environment);
                own.put("STATE_MACHINE_ARN", stateMachineArnFromName());
            }
            createFunction(functionScope, handler, own);
        }
        grantStateMachineFunctions();

        this.definitionSubstitutions = substitutions();
        this.stateMachine = createStateMachine();

        Map<String, String> triggerEnvironment = new TreeMap<>(environment);
        triggerEnvironment.put("STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
        this.deadLetterQueue = createDeadLetterQueue();
        createFunction(functionScope, WorkflowHandler.TRIGGER_RECONCILE, triggerEnvironment);
        Map<String, String> deployEnvironment = new TreeMap<>(triggerEnvironment);
        deployEnvironment.put("DEPLOY_WAIT_SECONDS", Long.toString(deployWait().toSeconds().longValue()));
        createFunction(functionScope, WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT, deployEnvironment);
        createFunction(functionScope, WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE, deployEnvironment);
        grantTriggerFunctions();

        createEventTriggers();
        this.deployReconcile = createDeployTrigger();
        this.alarmTopic = createAlarms();
        addNagSuppressions();
    }

    /** The reconcile state machine (Standard). */
    public IStateMachine getStateMachine() {
        return stateMachine;
    }

    /** The SNS topic the alarms publish to (failed / timed-out executions, undelivered events). */
    public ITopic getAlarmTopic() {
        return alarmTopic;
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

    /** The deploy trigger: {@code cdk deploy} waits on it until the reconcile ends. */
    /**
     * What must exist before the group launches an instance for its launch lifecycle action to
     * start a reconcile: the EventBridge rules and the trigger function with its invoke
     * permissions.
     *
     * @return constructs the group should depend on
     */
    public List<IConstruct> getLaunchEventPath() {
        return List.of(triggers, aliases.get(WorkflowHandler.TRIGGER_RECONCILE));
    }

    public CustomResource getDeployReconcile() {
        return deployReconcile;
    }

    /** The {@code live} alias of a handler's function. */
    public IFunction getHandlerAlias(WorkflowHandler handler) {
        return aliases.get(handler);
    }

    /** The substitutions passed to the ASL definition: variable name to alias ARN (a token). */
    public Map<String, String> getDefinitionSubstitutions() {
        return definitionSubstitutions;
    }

    /** The substitution variables this construct provides, for checks of the ASL file. */
    public static TreeSet<String> definitionSubstitutionKeys() {
        var keys = new TreeSet<String>();
        WorkflowHandler.stateMachineHandlers().forEach(h -> keys.add(h.substitutionKey()));
        return keys;
    }

    private Table createRegistry() {
        return Table.Builder.create(this, "Registry")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
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

    private void createFunction(Construct scope, WorkflowHandler handler, Map<String, String> environment) {
        Construct handlerScope = new Construct(scope, handler.id());
        LogGroup logs = LogGroup.Builder.create(handlerScope, "Logs")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Function function = Function.Builder.create(handlerScope, "Function")
                .description("drbd-multiaz " + handler.id() + " (" + handler.handlerClass() + ")")
                .runtime(Runtime.JAVA_21)
                .code(Code.fromAsset(props.getFunctionsJar().toString()))
                .handler(handler.handler())
                .memorySize(props.getFunctionMemoryMiB())
                .timeout(handler.timeout())
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .systemLogLevelV2(SystemLogLevel.INFO)
                .logGroup(logs)
                .environment(environment)
                .build();
        Alias alias = Alias.Builder.create(handlerScope, "Live")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                .build();
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Published: every caller invokes the alias '" + ALIAS_NAME + "' on currentVersion");
        if (handler == WorkflowHandler.TRIGGER_RECONCILE) {
            // EventBridge invokes the alias asynchronously: an event the handler rejects (foreign,
            // malformed) ends in the dead-letter queue after two retries, where an alarm sees it.
            alias.configureAsyncInvoke(EventInvokeConfigOptions.builder()
                    .retryAttempts(2)
                    .maxEventAge(Duration.hours(1))
                    .onFailure(new SqsDestination(deadLetterQueue))
                    .build());
        }
        functions.put(handler, function);
        aliases.put(handler, alias);
    }

    private void grantStateMachineFunctions() {
        Stack stack = Stack.of(this);
        String groupArn = props.getGroup().getAutoScalingGroupArn();

        // I5 lock: recover a lock whose holder execution no longer runs.
        clusterTable.grantReadWriteData(fn(WorkflowHandler.ACQUIRE_CLUSTER_LOCK));
        fn(WorkflowHandler.ACQUIRE_CLUSTER_LOCK).addToRolePolicy(describeOwnExecutions());
        clusterTable.grantReadWriteData(fn(WorkflowHandler.RELEASE_CLUSTER_LOCK));

        // Members and lifecycle states from the group; stable node-id allocation in the registry.
        Function describe = fn(WorkflowHandler.DESCRIBE_CLUSTER);
        clusterTable.grantReadWriteData(describe);
        describe.addToRolePolicy(statement("DescribeGroup", List.of("*"), "autoscaling:DescribeAutoScalingGroups"));

        fn(WorkflowHandler.CHECK_AGENTS_ONLINE).addToRolePolicy(
                statement("DescribeAgents", List.of("*"), "ssm:DescribeInstanceInformation"));

        // PlanNextStep is a pure function of the state document: no AWS permission.

        Function send = fn(WorkflowHandler.SEND_NODE_COMMAND);
        List<String> documentArns = props.getDocumentNames().values().stream()
                .map(name -> stack.formatArn(ArnComponents.builder()
                        .service("ssm").resource("document").resourceName(name).build()))
                .toList();
        send.addToRolePolicy(statement("SendClusterDocuments", documentArns, "ssm:SendCommand"));
        send.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("SendToClusterInstances")
                .actions(List.of("ssm:SendCommand"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("ec2").resource("instance").resourceName("*").build())))
                .conditions(Map.of("StringEquals",
                        Map.of("ssm:resourceTag/" + props.getClusterTagKey(), props.getClusterId())))
                .build());

        fn(WorkflowHandler.COLLECT_COMMAND_RESULTS).addToRolePolicy(
                statement("ReadCommandResults", List.of("*"), "ssm:GetCommandInvocation"));

        // Heartbeats every waiting action of the group, also of instances this run has not described.
        Function heartbeats = fn(WorkflowHandler.RECORD_LIFECYCLE_HEARTBEATS);
        heartbeats.addToRolePolicy(
                statement("HeartbeatGroupActions", List.of(groupArn), "autoscaling:RecordLifecycleActionHeartbeat"));
        heartbeats.addToRolePolicy(
                statement("DescribeGroup", List.of("*"), "autoscaling:DescribeAutoScalingGroups"));

        // Completes actions, records reported endpoints, releases node-ids of forgotten members,
        // marks members that stay unreachable Unhealthy so the group replaces them.
        Function complete = fn(WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS);
        complete.addToRolePolicy(
                statement("CompleteGroupActions", List.of(groupArn), "autoscaling:CompleteLifecycleAction"));
        complete.addToRolePolicy(
                statement("EvictUnreachableMembers", List.of(groupArn), "autoscaling:SetInstanceHealth"));
        clusterTable.grantReadWriteData(complete);

        // Failure path: may run before DescribeCluster succeeded, so it describes the group itself.
        Function abandon = fn(WorkflowHandler.ABANDON_PENDING_LAUNCHES);
        abandon.addToRolePolicy(
                statement("AbandonGroupLaunches", List.of(groupArn), "autoscaling:CompleteLifecycleAction",
                        "autoscaling:RecordLifecycleActionHeartbeat"));
        abandon.addToRolePolicy(
                statement("DescribeGroup", List.of("*"), "autoscaling:DescribeAutoScalingGroups"));

        // ReportClusterStatus builds the report from the state document: no AWS permission.

        // The follow-up of a failed run is a new execution of this state machine.
        fn(WorkflowHandler.START_FOLLOW_UP_RECONCILE).addToRolePolicy(
                statement("StartFollowUpExecution", List.of(stateMachineArnFromName()), "states:StartExecution"));
    }

    private void grantTriggerFunctions() {
        stateMachine.grantStartExecution(fn(WorkflowHandler.TRIGGER_RECONCILE));
        stateMachine.grantStartExecution(fn(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT));
        // GetExecutionHistory: where a reconcile that outlasts the deploy is, for the deploy's failure reason.
        fn(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE).addToRolePolicy(statement("FollowReconcileExecutions",
                List.of(executionArnPattern()), "states:DescribeExecution", "states:GetExecutionHistory"));
    }

    private PolicyStatement describeOwnExecutions() {
        return statement("DescribeReconcileExecutions", List.of(executionArnPattern()), "states:DescribeExecution");
    }

    /** This state machine's ARN, built from its name (no reference to the resource). */
    private String stateMachineArnFromName() {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("states").resource("stateMachine")
                .resourceName(stateMachineName)
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /** Executions of this state machine, built from its name (no reference to the resource). */
    private String executionArnPattern() {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("states").resource("execution")
                .resourceName(stateMachineName + ":*")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    private static PolicyStatement statement(String sid, List<String> resources, String... actions) {
        return PolicyStatement.Builder.create()
                .sid(sid).actions(List.of(actions)).resources(resources).build();
    }

    private Map<String, String> substitutions() {
        Map<String, String> map = new TreeMap<>();
        for (WorkflowHandler handler : WorkflowHandler.stateMachineHandlers()) {
            map.put(handler.substitutionKey(), aliases.get(handler).getFunctionArn());
        }
        return Collections.unmodifiableMap(map);
    }

    private StateMachine createStateMachine() {
        // Vended-logs prefix: keeps the CloudWatch Logs resource policy under its size limit.
        LogGroup logs = LogGroup.Builder.create(this, "ExecutionLogs")
                .logGroupName("/aws/vendedlogs/states/" + stateMachineName)
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        StateMachine machine = StateMachine.Builder.create(this, "StateMachine")
                // Deterministic name: the lock and deploy functions' policies name its executions.
                .stateMachineName(stateMachineName)
                .stateMachineType(StateMachineType.STANDARD)
                .definitionBody(DefinitionBody.fromFile(AslDefinitionLoader.stage(props.getDefinitionFile()).toString()))
                .definitionSubstitutions(definitionSubstitutions)
                // Execution data is what operators read (per-node results, report); by design it
                // holds no secret, only the secret's ARN.
                .logs(LogOptions.builder().destination(logs).level(LogLevel.ALL).includeExecutionData(true).build())
                .tracingEnabled(true)
                .build();
        WorkflowHandler.stateMachineHandlers().forEach(h -> aliases.get(h).grantInvoke(machine));
        return machine;
    }

    private Queue createDeadLetterQueue() {
        return Queue.Builder.create(this, "TriggerDeadLetters")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
    }

    private void createEventTriggers() {
        triggers = new Construct(this, "Triggers");
        LambdaFunction target = new LambdaFunction(aliases.get(WorkflowHandler.TRIGGER_RECONCILE),
                LambdaFunctionProps.builder()
                        .deadLetterQueue(deadLetterQueue)
                        .retryAttempts(8)
                        .maxEventAge(Duration.hours(2))
                        .build());
        String groupName = props.getGroup().getAutoScalingGroupName();

        Rule.Builder.create(triggers, "LaunchLifecycleAction")
                .description("Launch lifecycle actions of the replica group start a reconcile")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.autoscaling"))
                        .detailType(List.of("EC2 Instance-launch Lifecycle Action"))
                        .detail(Map.of("AutoScalingGroupName", List.of(groupName),
                                "LifecycleHookName", List.of(props.getLaunchHookName())))
                        .build())
                .targets(List.of(target))
                .build();
        Rule.Builder.create(triggers, "TerminateLifecycleAction")
                .description("Terminate lifecycle actions of the replica group start a reconcile")
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.autoscaling"))
                        .detailType(List.of("EC2 Instance-terminate Lifecycle Action"))
                        .detail(Map.of("AutoScalingGroupName", List.of(groupName),
                                "LifecycleHookName", List.of(props.getTerminateHookName())))
                        .build())
                .targets(List.of(target))
                .build();
        Rule.Builder.create(triggers, "ReadjustRequested")
                .description("Custom re-adjust event of this cluster starts a reconcile")
                .eventPattern(EventPattern.builder()
                        .source(List.of(READJUST_EVENT_SOURCE))
                        .detailType(List.of(READJUST_EVENT_DETAIL_TYPE))
                        .detail(Map.of("clusterId", List.of(props.getClusterId())))
                        .build())
                .targets(List.of(target))
                .build();
        if (props.getReadjustSchedule() != null) {
            Rule.Builder.create(triggers, "ReadjustSchedule")
                    .description("Scheduled re-adjust of the DRBD cluster (repairs drift)")
                    .schedule(Schedule.rate(props.getReadjustSchedule()))
                    .targets(List.of(target))
                    .build();
        }
    }

    /** DEPLOY_WAIT_SECONDS: how long isComplete waits for the reconcile before it fails the deploy with where it is. */
    static Duration deployWait() {
        return Duration.seconds(DEPLOY_SERVICE_TIMEOUT.toSeconds().longValue()
                - DEPLOY_REPORT_MARGIN.toSeconds().longValue());
    }

    private CustomResource createDeployTrigger() {
        Construct deploy = new Construct(this, "Deploy");
        LogGroup frameworkLogs = LogGroup.Builder.create(deploy, "FrameworkLogs")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        LogGroup waiterLogs = LogGroup.Builder.create(deploy, "WaiterLogs")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        Provider provider = Provider.Builder.create(deploy, "Provider")
                .onEventHandler(aliases.get(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT))
                .isCompleteHandler(aliases.get(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE))
                .queryInterval(DEPLOY_QUERY_INTERVAL)
                .totalTimeout(DEPLOY_SERVICE_TIMEOUT)
                .logGroup(frameworkLogs)
                // Waiter logging is off unless asked for explicitly (aws-cdk-lib default).
                .disableWaiterStateMachineLogging(false)
                .waiterStateMachineLogOptions(software.amazon.awscdk.customresources.LogOptions.builder()
                        .destination(waiterLogs).level(LogLevel.ALL).includeExecutionData(false).build())
                .build();
        CustomResource resource = CustomResource.Builder.create(deploy, "Reconcile")
                .serviceToken(provider.getServiceToken())
                .resourceType("Custom::DrbdReconcile")
                .serviceTimeout(DEPLOY_SERVICE_TIMEOUT)
                .properties(Map.of("ConfigHash", props.getConfigHash()))
                .build();
        // The deploy reconcile needs the group's instances, the workflow and the nodes' secret grant.
        resource.getNode().addDependency(props.getGroup(), stateMachine, props.getNodeRole());
        return resource;
    }

    private Topic createAlarms() {
        Construct alarms = new Construct(this, "Alarms");
        // TLS-only, not KMS: CloudWatch alarm actions cannot publish to a topic encrypted with the
        // AWS managed key alias/aws/sns, and the messages carry no secret (alarm state, ARNs).
        Topic topic = Topic.Builder.create(alarms, "Topic")
                .displayName("drbd-multiaz reconcile alarms (" + props.getClusterId() + ")")
                .enforceSsl(true)
                .build();
        MetricOptions sumPer5Min = MetricOptions.builder().period(Duration.minutes(5)).statistic("Sum").build();
        alarm(alarms, "ExecutionsFailed", topic, stateMachine.metricFailed(sumPer5Min),
                "A reconcile execution failed: open the execution in the Step Functions console and read "
                        + "ReconcileFailed's error and cause");
        alarm(alarms, "ExecutionsTimedOut", topic, stateMachine.metricTimedOut(sumPer5Min),
                "A reconcile execution timed out; its lock is recovered by the next trigger");
        // A departing member is kept in Terminating:Wait while it may hold the only good copy (I3);
        // Auto Scaling ends the wait on its own only at the global timeout (48 h), so an operator
        // hears of it long before: after HELD_TERMINATION_HOOK_TIMEOUTS heartbeat timeouts.
        int periods = (int) (HELD_TERMINATION_HOOK_TIMEOUTS * props.getLifecycleHookTimeout().toSeconds().longValue()
                / HELD_TERMINATION_PERIOD.toSeconds().longValue());
        Alarm held = Alarm.Builder.create(alarms, "TerminationHeld")
                .metric(new Metric(MetricProps.builder()
                        .namespace("AWS/AutoScaling").metricName("GroupTerminatingInstances")
                        .dimensionsMap(Map.of("AutoScalingGroupName", props.getGroup().getAutoScalingGroupName()))
                        .statistic("Minimum").period(HELD_TERMINATION_PERIOD).build()))
                .threshold(1)
                .evaluationPeriods(periods)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .alarmDescription("A replica node has waited in Terminating:Wait for " + HELD_TERMINATION_HOOK_TIMEOUTS
                        + " lifecycle hook timeouts: the reconcile keeps a departing member that may hold the only"
                        + " UpToDate copy, or cannot reach the cluster. Read the latest reconcile execution; Auto Scaling"
                        + " terminates it on its own at the hook's global timeout (48 h)")
                .build();
        held.addAlarmAction(new SnsAction(topic));
        // CompleteLifecycleActions logs {"alarm":"EvictionHeld"} when a member stays unreachable past
        // evictAfter but replacing it would leave fewer than a majority of UpToDate members.
        MetricFilter evictionHeld = MetricFilter.Builder.create(alarms, "EvictionHeldFilter")
                .logGroup(fn(WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS).getLogGroup())
                .filterPattern(FilterPattern.stringValue("$." + ALARM_LOG_FIELD, "=", EVICTION_HELD_ALARM))
                .metricNamespace(METRIC_NAMESPACE_PREFIX + props.getClusterId())
                .metricName(EVICTION_HELD_ALARM)
                .metricValue("1")
                .build();
        alarm(alarms, EVICTION_HELD_ALARM, topic, evictionHeld.metric(sumPer5Min),
                "A member stays unreachable (SSM agent offline) past drbd:evictAfterMinutes, but replacing it"
                        + " would leave fewer than a majority of UpToDate members: read the latest reconcile"
                        + " execution's output (unreachable, evictionHeld) and bring the member or its peers back");
        alarm(alarms, "UndeliveredTriggers", topic,
                deadLetterQueue.metricApproximateNumberOfMessagesVisible(MetricOptions.builder()
                        .period(Duration.minutes(5)).statistic("Maximum").build()),
                "A trigger event could not be delivered or was rejected: read the dead-letter queue");
        return topic;
    }

    private static void alarm(Construct scope, String id, Topic topic, IMetric metric, String description) {
        Alarm alarm = Alarm.Builder.create(scope, id)
                .metric(metric)
                .threshold(1)
                .evaluationPeriods(1)
                .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .alarmDescription(description)
                .build();
        alarm.addAlarmAction(new SnsAction(topic));
    }

    private Function fn(WorkflowHandler handler) {
        return functions.get(handler);
    }

    private void addNagSuppressions() {
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            suppress(fn(handler), true,
                    nag("AwsSolutions-L1", "java21 is the runtime chosen for SnapStart (issue 4); the jar is "
                            + "compiled with --release 17, so a newer runtime is a deliberate upgrade, not drift"),
                    nag("AwsSolutions-IAM4", "AWSLambdaBasicExecutionRole only allows writing the function's own "
                            + "CloudWatch logs", LAMBDA_BASIC_EXECUTION_POLICY));
        }
        String anyResource = "Resource::*";
        suppress(fn(WorkflowHandler.DESCRIBE_CLUSTER), true, nag("AwsSolutions-IAM5",
                "autoscaling:DescribeAutoScalingGroups supports no resource-level permissions", anyResource));
        suppress(fn(WorkflowHandler.CHECK_AGENTS_ONLINE), true, nag("AwsSolutions-IAM5",
                "ssm:DescribeInstanceInformation supports no resource-level permissions", anyResource));
        suppress(fn(WorkflowHandler.COLLECT_COMMAND_RESULTS), true, nag("AwsSolutions-IAM5",
                "ssm:GetCommandInvocation supports no resource-level permissions", anyResource));
        suppress(fn(WorkflowHandler.ABANDON_PENDING_LAUNCHES), true, nag("AwsSolutions-IAM5",
                "autoscaling:DescribeAutoScalingGroups supports no resource-level permissions", anyResource));
        suppress(fn(WorkflowHandler.RECORD_LIFECYCLE_HEARTBEATS), true, nag("AwsSolutions-IAM5",
                "autoscaling:DescribeAutoScalingGroups supports no resource-level permissions", anyResource));
        suppress(fn(WorkflowHandler.SEND_NODE_COMMAND), true, nag("AwsSolutions-IAM5",
                "Instance ids are unknown at synth time (the group replaces nodes); SendCommand on instances "
                        + "is limited by the condition ssm:resourceTag/" + props.getClusterTagKey()
                        + " = cluster id, and to this stack's eight documents",
                RegexAppliesTo.builder().regex("/^Resource::" + arnRegex("ec2") + "instance\\/\\*$/g").build()));
        RegexAppliesTo groupArn = RegexAppliesTo.builder()
                .regex("/^Resource::" + arnRegex("autoscaling")
                        + "autoScalingGroup:\\*:autoScalingGroupName\\/.*$/g")
                .build();
        for (WorkflowHandler handler : List.of(WorkflowHandler.RECORD_LIFECYCLE_HEARTBEATS,
                WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS, WorkflowHandler.ABANDON_PENDING_LAUNCHES)) {
            suppress(fn(handler), true, nag("AwsSolutions-IAM5",
                    "The '*' is the group-id part of this group's ARN (the group is named, its UUID is not "
                            + "known at synth time); the statement covers this one group only", groupArn));
        }
        RegexAppliesTo executions = RegexAppliesTo.builder()
                .regex("/^Resource::" + arnRegex("states") + "execution:[A-Za-z0-9-]+:\\*$/g")
                .build();
        for (WorkflowHandler handler : List.of(WorkflowHandler.ACQUIRE_CLUSTER_LOCK,
                WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE)) {
            suppress(fn(handler), true, nag("AwsSolutions-IAM5",
                    "states:DescribeExecution on executions of this state machine only; execution names are "
                            + "generated per run", executions));
        }
        suppress(stateMachine, true, nag("AwsSolutions-IAM5",
                "Step Functions log delivery (logs:*LogDelivery, PutResourcePolicy, DescribeLogGroups) and "
                        + "X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) support no resource-level "
                        + "permissions", anyResource));
        suppress(props.getNodeRole(), true, nag("AwsSolutions-IAM5",
                "The node role writes command output only into this stack's CommandOutput group: its ARN ends in"
                        + " ':*' (the group's streams); logs:DescribeLogGroups, which the SSM agent calls to find the"
                        + " group, supports no resource-level permissions",
                RegexAppliesTo.builder().regex("/^Resource::<[A-Za-z0-9]+CommandOutput[A-Za-z0-9]+\\.Arn>$/g").build(),
                anyResource));
        suppress(secret, false, nag("AwsSolutions-SMG4",
                "The DRBD shared secret is rotated by changing it and re-running the reconcile (write-config + "
                        + "adjust on every node together); an automatic rotation Lambda would break peer "
                        + "authentication between nodes that picked up different values"));
        suppress(deadLetterQueue, false, nag("AwsSolutions-SQS3",
                "This queue is itself the dead-letter queue of the trigger rules and of the trigger function"));
        Construct provider = (Construct) deployReconcile.getNode().getScope().getNode().findChild("Provider");
        suppress(provider, true,
                nag("AwsSolutions-IAM4", "CDK Provider framework functions: AWSLambdaBasicExecutionRole only "
                        + "allows writing their own logs", LAMBDA_BASIC_EXECUTION_POLICY),
                nag("AwsSolutions-IAM5", "CDK Provider framework waiter: invokes its own isComplete/onTimeout "
                        + "framework functions by qualified ARN (':*'), and delivers its logs (log delivery has "
                        + "no resource-level permissions)",
                        RegexAppliesTo.builder().regex("/^Resource::<[A-Za-z0-9]+Providerframework"
                                + "(isComplete|onTimeout)[A-Za-z0-9]+\\.Arn>:\\*$/g").build(),
                        anyResource),
                nag("AwsSolutions-SF2", "CDK Provider framework waiter state machine: X-Ray tracing cannot be "
                        + "configured; it only polls isComplete"));
    }

    /**
     * The start of an ARN of this stack as cdk-nag prints it. Partition and region are literals in
     * a stack with a concrete region, tokens in an environment-agnostic one.
     */
    private static String arnRegex(String service) {
        return "arn:(<AWS::Partition>|aws[a-z-]*):" + service + ":(<AWS::Region>|[a-z0-9-]+):<AWS::AccountId>:";
    }

    private static NagPackSuppression nag(String rule, String reason, Object... appliesTo) {
        NagPackSuppression.Builder builder = NagPackSuppression.builder().id(rule).reason(reason);
        if (appliesTo.length > 0) {
            builder.appliesTo(List.of(appliesTo));
        }
        return builder.build();
    }

    private static void suppress(IConstruct construct, boolean applyToChildren, NagPackSuppression... suppressions) {
        NagSuppressions.addResourceSuppressions(construct, List.of(suppressions), applyToChildren);
    }
}
