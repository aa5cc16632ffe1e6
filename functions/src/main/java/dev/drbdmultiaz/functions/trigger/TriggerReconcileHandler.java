package dev.drbdmultiaz.functions.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.ExecutionArns;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidTriggerEventException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.lock.ClusterLock;
import dev.drbdmultiaz.functions.reconcile.state.LockState;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/**
 * TriggerReconcile: EventBridge target that starts a reconcile execution for a lifecycle,
 * re-adjust or schedule event. Input of the execution: {@code {"trigger":{"source","instanceId"}}}.
 * It takes the cluster lock for the execution first: while a reconcile runs, the event is
 * coalesced into it ({@code coalescedInto}) and no execution starts.
 * Returns {@code {"started","duplicate","executionArn","executionName","coalescedInto","reason"}}.
 */
public final class TriggerReconcileHandler extends JsonHandler<JsonNode, TriggerReconcileHandler.TriggerResult> {

    private static final StructuredLog LOG = StructuredLog.of(TriggerReconcileHandler.class);

    private final TriggerEvents events;
    private final SfnClient sfn;
    private final ClusterLock lock;
    private final String stateMachineArn;

    public TriggerReconcileHandler() {
        this(Config.from(Env.system()), AwsClients.sfn(), AwsClients.dynamoDb());
        Priming.register(PrimingRequest.DESCRIBE_STATE_MACHINE, PrimingRequest.DESCRIBE_TABLE);
    }

    public TriggerReconcileHandler(Config config, SfnClient sfn, DynamoDbClient dynamoDb) {
        super(JsonNode.class);
        this.events = new TriggerEvents(config.identity());
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.lock = new ClusterLock(dynamoDb, sfn, config.tableName(), Clock.systemUTC());
        this.stateMachineArn = config.stateMachineArn();
    }

    @Override
    protected TriggerResult handle(JsonNode event) {
        TriggerEvents.Decision decision = events.read(event);
        if (decision.ignored()) {
            LOG.info("Ignored event of another cluster", "reason", decision.ignoredReason(),
                "eventId", event.path("id").asText(null));
            return new TriggerResult(false, false, null, null, null, decision.ignoredReason());
        }
        String executionArn = ExecutionArns.of(stateMachineArn, decision.executionName());
        LockState taken = lock.acquireForStart(executionArn,
            ClusterLock.coalescedName(decision.source(), decision.instanceId()));
        if (!taken.acquired()) {
            LOG.info("Coalesced event into running reconcile", "holderExecutionArn", taken.holderExecutionArn(),
                "instanceId", decision.instanceId(), "source", decision.source());
            return new TriggerResult(false, false, null, decision.executionName(), taken.holderExecutionArn(),
                "Coalesced into running reconcile " + taken.holderExecutionArn() + ", which reconciles once more");
        }
        String input = Json.write(Map.of("trigger", new Trigger(decision.source(), decision.instanceId())));
        try {
            sfn.startExecution(StartExecutionRequest.builder().stateMachineArn(stateMachineArn)
                .name(decision.executionName()).input(input).build());
            LOG.info("Started reconcile execution", "executionArn", executionArn, "executionName",
                decision.executionName(), "instanceId", decision.instanceId(), "source", decision.source());
            return new TriggerResult(true, false, executionArn, decision.executionName(), null, null);
        } catch (ExecutionAlreadyExistsException duplicate) {
            // A copy of this event started it and it has ended (for a running execution of the same
            // name and input StartExecution answers success): the lock just taken for it is freed.
            lock.releaseUnstarted(executionArn);
            LOG.info("Found reconcile execution already started for event", "executionName",
                decision.executionName(), "instanceId", decision.instanceId());
            return new TriggerResult(false, true, null, decision.executionName(), null,
                "An execution named " + decision.executionName() + " exists: the event was delivered twice");
        } catch (SdkException notStarted) {
            lock.releaseUnstarted(executionArn);
            throw notStarted;
        }
    }

    @Override
    protected RuntimeException invalidInput(String message, Exception cause) {
        return new InvalidTriggerEventException(message + "; nothing was started", cause);
    }

    /**
     * Environment of TriggerReconcile.
     *
     * @param stateMachineArn STATE_MACHINE_ARN
     * @param tableName CLUSTER_TABLE_NAME: the registry table that holds the cluster lock
     * @param identity CLUSTER_ID, AUTO_SCALING_GROUP_NAME, LAUNCH_HOOK_NAME, TERMINATE_HOOK_NAME
     */
    public record Config(String stateMachineArn, String tableName, TriggerEvents.Identity identity) {

        public static Config from(Env env) {
            return new Config(env.require("STATE_MACHINE_ARN"), env.require("CLUSTER_TABLE_NAME"),
                new TriggerEvents.Identity(env.require("CLUSTER_ID"), env.require("AUTO_SCALING_GROUP_NAME"),
                    env.require("LAUNCH_HOOK_NAME"), env.require("TERMINATE_HOOK_NAME")));
        }
    }

    /**
     * What the trigger did.
     *
     * @param started a new execution was started
     * @param duplicate the execution for this event existed already
     * @param executionArn the started execution
     * @param executionName its name (also when nothing was started)
     * @param coalescedInto the running execution the event was coalesced into
     * @param reason why nothing was started
     */
    public record TriggerResult(boolean started, boolean duplicate, String executionArn, String executionName,
        String coalescedInto, String reason) {
    }
}
