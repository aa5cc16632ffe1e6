package dev.drbdmultiaz.infra.workflow;

import static dev.drbdmultiaz.infra.workflow.Policies.statement;

import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.RegistryKeys;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.EventInvokeConfigOptions;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.destinations.SqsDestination;
import software.amazon.awscdk.services.sqs.IQueue;
import software.amazon.awscdk.services.stepfunctions.IStateMachine;
import software.constructs.Construct;

/**
 * The functions of the workflow, one {@link WorkflowFunction} per {@link WorkflowHandler}, each
 * with the permissions it needs and the cdk-nag reasons for what those permissions cannot narrow.
 *
 * <p>Built in two steps because of the state machine between them: it invokes the functions
 * this constructor creates, and the functions {@link #addStarterFunctions} creates start it.
 * Policies that name the state machine (lock recovery, follow-up, deploy) are built from its
 * deterministic name, not from the resource, which would be a cycle.
 */
public class WorkflowFunctions extends Construct {

    private static final RegexAppliesTo OWN_EXECUTIONS = RegexAppliesTo.builder()
            .regex("/^Resource::" + Nag.arnRegex("states") + "execution:[A-Za-z0-9-]+:\\*$/g")
            .build();
    private static final RegexAppliesTo GROUP_ARN = RegexAppliesTo.builder()
            .regex("/^Resource::" + Nag.arnRegex("autoscaling")
                    + "autoScalingGroup:\\*:autoScalingGroupName\\/.*$/g")
            .build();
    private static final NagPackSuppression DESCRIBE_GROUP_ANY_RESOURCE = Nag.reason("AwsSolutions-IAM5",
            "autoscaling:DescribeAutoScalingGroups supports no resource-level permissions", Nag.ANY_RESOURCE);
    private static final NagPackSuppression THIS_GROUP_ONLY = Nag.reason("AwsSolutions-IAM5",
            "The '*' is the group-id part of this group's ARN (the group is named, its UUID is not "
                    + "known at synth time); the statement covers this one group only", GROUP_ARN);
    private static final NagPackSuppression GET_COMMAND_INVOCATION_ANY_RESOURCE = Nag.reason("AwsSolutions-IAM5",
            "ssm:GetCommandInvocation supports no resource-level permissions", Nag.ANY_RESOURCE);
    private static final NagPackSuppression OWN_EXECUTIONS_ONLY = Nag.reason("AwsSolutions-IAM5",
            "states:DescribeExecution on executions of this stack's own (named) state machines only;"
                    + " execution names are generated per run", OWN_EXECUTIONS);

    private final WorkflowFunctionsProps props;
    private final Map<WorkflowHandler, WorkflowFunction> stateMachineFunctions;

    public WorkflowFunctions(Construct scope, String id, WorkflowFunctionsProps props) {
        super(scope, id);
        this.props = Objects.requireNonNull(props, "props must not be null");
        Map<WorkflowHandler, WorkflowFunction> created = new EnumMap<>(WorkflowHandler.class);
        for (WorkflowHandler handler : WorkflowHandler.stateMachineHandlers()) {
            Map<String, String> environment = props.getEnvironment();
            if (handler == WorkflowHandler.START_FOLLOW_UP_RECONCILE) {
                // Built from the name: a reference to the state machine would be a cycle (it invokes this function).
                environment = with(environment, "STATE_MACHINE_ARN", stateMachineArnFromName());
            }
            created.put(handler, create(handler, environment));
        }
        this.stateMachineFunctions = Collections.unmodifiableMap(created);
        grantStateMachineFunctions();
    }

    /** The functions the state machine invokes. */
    public Map<WorkflowHandler, WorkflowFunction> getStateMachineFunctions() {
        return stateMachineFunctions;
    }

    /**
     * Adds the functions that start executions of the state machine: the EventBridge target and
     * the deploy custom resource's two handlers.
     *
     * @param stateMachine the reconcile state machine they start
     * @param deadLetterQueue where the trigger function's rejected events end
     * @param volumeRemoval the data-volume removal state machine the deploy functions start on
     *     {@code cdk destroy}, if the stack has one
     */
    public StarterFunctions addStarterFunctions(IStateMachine stateMachine, IQueue deadLetterQueue,
            Optional<DataVolumeRemoval> volumeRemoval) {
        Map<String, String> triggerEnvironment =
                with(props.getEnvironment(), "STATE_MACHINE_ARN", stateMachine.getStateMachineArn());
        WorkflowFunction trigger = create(WorkflowHandler.TRIGGER_RECONCILE, triggerEnvironment);
        // EventBridge invokes the alias asynchronously: an event the handler rejects (foreign,
        // malformed) ends in the dead-letter queue after two retries, where an alarm sees it.
        trigger.getAlias().configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(2)
                .maxEventAge(Duration.hours(1))
                .onFailure(new SqsDestination(deadLetterQueue))
                .build());
        Map<String, String> deployEnvironment = with(triggerEnvironment,
                "DEPLOY_WAIT_SECONDS", Long.toString(DeployTrigger.deployWait().toSeconds().longValue()));
        if (volumeRemoval.isPresent()) {
            deployEnvironment = with(deployEnvironment,
                    "REMOVAL_STATE_MACHINE_ARN", volumeRemoval.get().getStateMachine().getStateMachineArn());
        }
        WorkflowFunction deployOnEvent = create(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT, deployEnvironment);
        WorkflowFunction deployIsComplete = create(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE, deployEnvironment);

        stateMachine.grantStartExecution(trigger.getFunction());
        trigger.getFunction().addToRolePolicy(primeWithStateMachine(stateMachine.getStateMachineArn()));
        // Takes the cluster lock for the execution it starts, or coalesces into the running holder:
        // the lock item only, whose holder it describes (and the table, to prime for SnapStart).
        trigger.getFunction().addToRolePolicy(PolicyStatement.Builder.create()
                .sid("TakeOrCoalesceIntoClusterLock")
                .actions(List.of("dynamodb:GetItem", "dynamodb:UpdateItem"))
                .resources(List.of(props.getClusterTable().getTableArn()))
                .conditions(Map.of("ForAllValues:StringEquals",
                        Map.of("dynamodb:LeadingKeys", List.of(RegistryKeys.LOCK))))
                .build());
        trigger.getFunction().addToRolePolicy(statement("PrimeWithRegistryTable",
                List.of(props.getClusterTable().getTableArn()), "dynamodb:DescribeTable"));
        trigger.getFunction().addToRolePolicy(describeOwnExecutions());
        justify(trigger, OWN_EXECUTIONS_ONLY);
        stateMachine.grantStartExecution(deployOnEvent.getFunction());
        deployOnEvent.getFunction().addToRolePolicy(primeWithStateMachine(stateMachine.getStateMachineArn()));
        volumeRemoval.ifPresent(removal -> grantVolumeRemoval(removal, deployOnEvent, deployIsComplete));
        justify(deployOnEvent, volumeRemoval.map(removal -> new NagPackSuppression[] {DESCRIBE_GROUP_ANY_RESOURCE})
                .orElse(new NagPackSuppression[0]));
        // GetExecutionHistory: where a reconcile that outlasts the deploy is, for the deploy's failure reason.
        deployIsComplete.getFunction().addToRolePolicy(statement("FollowReconcileExecutions",
                List.of(executionArnPattern()), "states:DescribeExecution", "states:GetExecutionHistory"));
        justify(deployIsComplete, OWN_EXECUTIONS_ONLY);
        return new StarterFunctions(trigger, deployOnEvent, deployIsComplete);
    }

    /**
     * The Delete of the data-volume removal resource: onEvent checks that the group is gone
     * (DescribeAutoScalingGroups supports no resource-level permissions) and starts the removal,
     * isComplete follows its executions.
     */
    private static void grantVolumeRemoval(DataVolumeRemoval removal, WorkflowFunction onEvent,
            WorkflowFunction isComplete) {
        removal.getStateMachine().grantStartExecution(onEvent.getFunction());
        onEvent.getFunction().addToRolePolicy(statement("FindGroupBeforeVolumeRemoval", List.of("*"),
                "autoscaling:DescribeAutoScalingGroups"));
        isComplete.getFunction().addToRolePolicy(statement("FollowVolumeRemovalExecutions",
                List.of(removal.getExecutionArnPattern()), "states:DescribeExecution"));
    }

    /**
     * {@code actions} on this group's lifecycle actions, and DescribeAutoScalingGroups to find the
     * instances (it supports no resource-level permissions).
     */
    private void grantGroupActions(WorkflowHandler handler, String sid, String... actions) {
        Function function = fn(handler);
        function.addToRolePolicy(statement(sid, List.of(props.getGroup().getAutoScalingGroupArn()), actions));
        function.addToRolePolicy(statement("DescribeGroup", List.of("*"), "autoscaling:DescribeAutoScalingGroups"));
        justify(handler, DESCRIBE_GROUP_ANY_RESOURCE, THIS_GROUP_ONLY);
    }

    private WorkflowFunction create(WorkflowHandler handler, Map<String, String> environment) {
        return new WorkflowFunction(this, handler.id(), WorkflowFunctionProps.builder()
                .handler(handler)
                .functionsJar(props.getFunctionsJar())
                .memoryMiB(props.getMemoryMiB())
                .logRetention(props.getLogRetention())
                .environment(environment)
                .build());
    }

    private void grantStateMachineFunctions() {
        Stack stack = Stack.of(this);
        String groupArn = props.getGroup().getAutoScalingGroupArn();

        // I5 lock: recover a lock whose holder execution no longer runs.
        Function acquire = fn(WorkflowHandler.ACQUIRE_CLUSTER_LOCK);
        props.getClusterTable().grantReadWriteData(acquire);
        acquire.addToRolePolicy(describeOwnExecutions());
        justify(WorkflowHandler.ACQUIRE_CLUSTER_LOCK, OWN_EXECUTIONS_ONLY);
        props.getClusterTable().grantReadWriteData(fn(WorkflowHandler.RELEASE_CLUSTER_LOCK));
        justify(WorkflowHandler.RELEASE_CLUSTER_LOCK);

        // Members and lifecycle states from the group; stable node-id allocation in the registry.
        Function describe = fn(WorkflowHandler.DESCRIBE_CLUSTER);
        props.getClusterTable().grantReadWriteData(describe);
        describe.addToRolePolicy(statement("DescribeGroup", List.of("*"), "autoscaling:DescribeAutoScalingGroups"));
        justify(WorkflowHandler.DESCRIBE_CLUSTER, DESCRIBE_GROUP_ANY_RESOURCE);

        fn(WorkflowHandler.CHECK_AGENTS_ONLINE).addToRolePolicy(
                statement("DescribeAgents", List.of("*"), "ssm:DescribeInstanceInformation"));
        justify(WorkflowHandler.CHECK_AGENTS_ONLINE, Nag.reason("AwsSolutions-IAM5",
                "ssm:DescribeInstanceInformation supports no resource-level permissions", Nag.ANY_RESOURCE));

        // PlanNextStep is a pure function of the state document: no AWS permission.
        justify(WorkflowHandler.PLAN_NEXT_STEP);

        Function send = fn(WorkflowHandler.SEND_NODE_COMMAND);
        List<String> documentArns = props.getDocumentNames().values().stream()
                .map(name -> stack.formatArn(ArnComponents.builder()
                        .service("ssm").resource("document").resourceName(name).build()))
                .toList();
        send.addToRolePolicy(statement("SendClusterDocuments", documentArns, "ssm:SendCommand"));
        // SnapStart priming: a read of the read-only status document (functions' PrimingRequest).
        send.addToRolePolicy(statement("PrimeWithStatusDocument", List.of(stack.formatArn(ArnComponents.builder()
                .service("ssm").resource("document")
                .resourceName(props.getDocumentNames().get(NodeDocument.STATUS.baseName())).build())),
                "ssm:DescribeDocument"));
        send.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("SendToClusterInstances")
                .actions(List.of("ssm:SendCommand"))
                .resources(List.of(stack.formatArn(ArnComponents.builder()
                        .service("ec2").resource("instance").resourceName("*").build())))
                .conditions(Map.of("StringEquals",
                        Map.of("ssm:resourceTag/" + props.getClusterTagKey(), props.getClusterId())))
                .build());
        // SendNodeCommand records the round it sent and completes it itself if the command ended
        // before its event could find the round; CollectCommandResults (the polling fallback) reads it.
        props.getClusterTable().grantReadWriteData(send);
        send.addToRolePolicy(readCommandResults());
        send.addToRolePolicy(completeOwnTasks());
        NagPackSuppression instancesByTag = Nag.reason("AwsSolutions-IAM5",
                "Instance ids are unknown at synth time (the group replaces nodes); SendCommand on instances "
                        + "is limited by the condition ssm:resourceTag/" + props.getClusterTagKey()
                        + " = cluster id, and to this stack's eight documents",
                RegexAppliesTo.builder().regex("/^Resource::" + Nag.arnRegex("ec2") + "instance\\/\\*$/g").build());
        justify(WorkflowHandler.SEND_NODE_COMMAND, instancesByTag, GET_COMMAND_INVOCATION_ANY_RESOURCE);
        Function collect = fn(WorkflowHandler.COLLECT_COMMAND_RESULTS);
        props.getClusterTable().grantReadData(collect);
        collect.addToRolePolicy(readCommandResults());
        justify(WorkflowHandler.COLLECT_COMMAND_RESULTS, GET_COMMAND_INVOCATION_ANY_RESOURCE);

        // Heartbeats every waiting action of the group, also of instances this run has not described.
        grantGroupActions(WorkflowHandler.RECORD_LIFECYCLE_HEARTBEATS, "HeartbeatGroupActions",
                "autoscaling:RecordLifecycleActionHeartbeat");

        // Completes actions, records reported endpoints, releases node-ids of forgotten members,
        // marks members that stay unreachable Unhealthy so the group replaces them, protects the Primary.
        Function complete = fn(WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS);
        complete.addToRolePolicy(
                statement("CompleteGroupActions", List.of(groupArn), "autoscaling:CompleteLifecycleAction"));
        complete.addToRolePolicy(
                statement("EvictUnreachableMembers", List.of(groupArn), "autoscaling:SetInstanceHealth"));
        // Scale-in protection follows the DRBD Primary (ScaleInProtection).
        complete.addToRolePolicy(
                statement("ProtectPrimaryFromScaleIn", List.of(groupArn), "autoscaling:SetInstanceProtection"));
        props.getClusterTable().grantReadWriteData(complete);
        // SnapStart priming reads the group (the only read of the Auto Scaling API it needs).
        complete.addToRolePolicy(statement("DescribeGroup", List.of("*"), "autoscaling:DescribeAutoScalingGroups"));
        justify(WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS, THIS_GROUP_ONLY, DESCRIBE_GROUP_ANY_RESOURCE);

        // Lets departing members go and watches them leave the group (I9).
        grantGroupActions(WorkflowHandler.AWAIT_DEPARTURE, "ContinueGroupTerminations",
                "autoscaling:CompleteLifecycleAction");

        // Failure path: may run before DescribeCluster succeeded, so it describes the group itself.
        grantGroupActions(WorkflowHandler.ABANDON_PENDING_LAUNCHES, "AbandonGroupLaunches",
                "autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat");

        // PlanVolumeTags and PlanDataVolumes decide from the state document; Step Functions' EC2
        // integrations act.
        justify(WorkflowHandler.PLAN_VOLUME_TAGS);
        justify(WorkflowHandler.PLAN_DATA_VOLUMES);

        // ReportClusterStatus builds the report from the state document: no AWS permission.
        justify(WorkflowHandler.REPORT_CLUSTER_STATUS);

        // The follow-up of a failed run is a new execution of this state machine.
        fn(WorkflowHandler.START_FOLLOW_UP_RECONCILE).addToRolePolicy(
                statement("StartFollowUpExecution", List.of(stateMachineArnFromName()), "states:StartExecution"));
        fn(WorkflowHandler.START_FOLLOW_UP_RECONCILE).addToRolePolicy(primeWithStateMachine(stateMachineArnFromName()));
        justify(WorkflowHandler.START_FOLLOW_UP_RECONCILE);
    }

    /**
     * Adds CompleteNodeCommand, the target of SSM's command events: it reads the round the command
     * belongs to, collects the outputs and completes the waiting task of this state machine only.
     *
     * @param deadLetterQueue where events it could not handle end, after two retries
     */
    public WorkflowFunction addCompletionFunction(IQueue deadLetterQueue) {
        WorkflowFunction completion = create(WorkflowHandler.COMPLETE_NODE_COMMAND, props.getEnvironment());
        completion.getAlias().configureAsyncInvoke(EventInvokeConfigOptions.builder()
                .retryAttempts(2)
                .maxEventAge(Duration.hours(1))
                .onFailure(new SqsDestination(deadLetterQueue))
                .build());
        Function function = completion.getFunction();
        props.getClusterTable().grantReadWriteData(function);
        function.addToRolePolicy(readCommandResults());
        function.addToRolePolicy(completeOwnTasks());
        justify(completion, GET_COMMAND_INVOCATION_ANY_RESOURCE);
        return completion;
    }

    private static PolicyStatement readCommandResults() {
        return statement("ReadCommandResults", List.of("*"), "ssm:GetCommandInvocation");
    }

    /** SendTaskSuccess on tasks of this state machine only (built from its name: no cycle). */
    private PolicyStatement completeOwnTasks() {
        return statement("CompleteNodeStepTasks", List.of(stateMachineArnFromName()), "states:SendTaskSuccess");
    }

    private Function fn(WorkflowHandler handler) {
        return stateMachineFunctions.get(handler).getFunction();
    }

    private void justify(WorkflowHandler handler, NagPackSuppression... permissionReasons) {
        justify(stateMachineFunctions.get(handler), permissionReasons);
    }

    /**
     * The reasons every function shares, then those of its own permissions. Called after the
     * function's last grant, so that they reach its role's default policy too.
     */
    private static void justify(WorkflowFunction function, NagPackSuppression... permissionReasons) {
        List<NagPackSuppression> reasons = Stream.concat(Stream.of(
                Nag.reason("AwsSolutions-L1", "java21 is the runtime chosen for SnapStart (issue 4); the jar is "
                        + "compiled with --release 17, so a newer runtime is a deliberate upgrade, not drift"),
                Nag.reason("AwsSolutions-IAM4", "AWSLambdaBasicExecutionRole only allows writing the function's own "
                        + "CloudWatch logs", Nag.LAMBDA_BASIC_EXECUTION_POLICY)),
                Stream.of(permissionReasons)).toList();
        Nag.suppress(function.getFunction(), true, reasons);
    }

    /** SnapStart priming of a function that only starts executions: a read of the state machine it starts. */
    private static PolicyStatement primeWithStateMachine(String stateMachineArn) {
        return statement("PrimeWithStateMachine", List.of(stateMachineArn), "states:DescribeStateMachine");
    }

    private PolicyStatement describeOwnExecutions() {
        return statement("DescribeReconcileExecutions", List.of(executionArnPattern()), "states:DescribeExecution");
    }

    /** The state machine's ARN, built from its name (no reference to the resource). */
    private String stateMachineArnFromName() {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("states").resource("stateMachine")
                .resourceName(props.getStateMachineName())
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /** Executions of the state machine, built from its name (no reference to the resource). */
    private String executionArnPattern() {
        return Policies.executionsOf(this, props.getStateMachineName());
    }

    private static Map<String, String> with(Map<String, String> environment, String name, String value) {
        Map<String, String> extended = new TreeMap<>(environment);
        extended.put(name, value);
        return extended;
    }

    /** The functions that start the state machine, made by {@link #addStarterFunctions}. */
    public record StarterFunctions(
            WorkflowFunction trigger, WorkflowFunction deployOnEvent, WorkflowFunction deployIsComplete) {
    }
}
