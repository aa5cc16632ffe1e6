package dev.drbdmultiaz.functions.trigger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidTriggerEventException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.lock.ClusterLock;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/**
 * TriggerReconcile: EventBridge target that starts a reconcile execution for a lifecycle,
 * re-adjust or schedule event. Input of the execution: {@code {"trigger":{"source","instanceId"}}}.
 * Returns {@code {"started":bool,"duplicate":bool,"executionArn","executionName","reason"}}. While a
 * running execution holds the cluster lock, the trigger is recorded with it instead (see
 * {@link ClusterLock#coalesceIntoRunningHolder}): no execution starts only to coalesce.
 */
public final class TriggerReconcileHandler extends JsonHandler<JsonNode, TriggerReconcileHandler.TriggerResult> {

    private static final StructuredLog LOG = StructuredLog.of(TriggerReconcileHandler.class);

    /** Records a trigger with the running holder of the cluster lock, naming it; empty when none runs. */
    @FunctionalInterface
    public interface Coalescing {
        Optional<String> intoRunningHolder(String trigger);
    }

    private final TriggerEvents events;
    private final SfnClient sfn;
    private final String stateMachineArn;
    private final Coalescing coalescing;

    public TriggerReconcileHandler() {
        this(Config.from(Env.system()), AwsClients.sfn());
        Priming.register(PrimingRequest.DESCRIBE_STATE_MACHINE, PrimingRequest.DESCRIBE_TABLE);
    }

    private TriggerReconcileHandler(Config config, SfnClient sfn) {
        this(config, sfn, new ClusterLock(AwsClients.dynamoDb(), sfn, config.tableName(), Clock.systemUTC())
            ::coalesceIntoRunningHolder);
    }

    public TriggerReconcileHandler(Config config, SfnClient sfn, Coalescing coalescing) {
        super(JsonNode.class);
        this.events = new TriggerEvents(config.identity());
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArn = config.stateMachineArn();
        this.coalescing = Objects.requireNonNull(coalescing, "coalescing");
    }

    @Override
    protected TriggerResult handle(JsonNode event) {
        TriggerEvents.Decision decision = events.read(event);
        if (decision.ignored()) {
            LOG.info("Ignored event of another cluster", "reason", decision.ignoredReason(),
                "eventId", event.path("id").asText(null));
            return new TriggerResult(false, false, null, null, decision.ignoredReason());
        }
        String input = Json.write(Map.of("trigger", new Trigger(decision.source(), decision.instanceId())));
        String trigger = decision.instanceId() == null ? decision.source()
            : decision.source() + " " + decision.instanceId();
        Optional<String> holder = coalescing.intoRunningHolder(trigger);
        if (holder.isPresent()) {
            // The running holder reconciles once more (or has already done what this asks): an
            // execution of its own would only find the lock held.
            return new TriggerResult(false, false, holder.get(), null,
                "Coalesced into the running reconcile " + holder.get());
        }
        try {
            String executionArn = sfn.startExecution(StartExecutionRequest.builder().stateMachineArn(stateMachineArn)
                .name(decision.executionName()).input(input).build()).executionArn();
            LOG.info("Started reconcile execution", "executionArn", executionArn, "executionName",
                decision.executionName(), "instanceId", decision.instanceId(), "source", decision.source());
            return new TriggerResult(true, false, executionArn, decision.executionName(), null);
        } catch (ExecutionAlreadyExistsException duplicate) {
            LOG.info("Found reconcile execution already started for event", "executionName",
                decision.executionName(), "instanceId", decision.instanceId());
            return new TriggerResult(false, true, null, decision.executionName(),
                "An execution named " + decision.executionName() + " exists: the event was delivered twice");
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
     * @param identity CLUSTER_ID, AUTO_SCALING_GROUP_NAME, LAUNCH_HOOK_NAME, TERMINATE_HOOK_NAME
     * @param tableName CLUSTER_TABLE_NAME: the registry table that holds the cluster lock
     */
    public record Config(String stateMachineArn, TriggerEvents.Identity identity, String tableName) {

        public static Config from(Env env) {
            return new Config(env.require("STATE_MACHINE_ARN"), new TriggerEvents.Identity(
                env.require("CLUSTER_ID"), env.require("AUTO_SCALING_GROUP_NAME"),
                env.require("LAUNCH_HOOK_NAME"), env.require("TERMINATE_HOOK_NAME")), env.require("CLUSTER_TABLE_NAME"));
        }
    }

    /**
     * What the trigger did.
     *
     * @param started a new execution was started
     * @param duplicate the execution for this event existed already
     * @param executionArn the started execution, or the running one the trigger was coalesced into
     * @param executionName its name
     * @param reason why nothing was started
     */
    public record TriggerResult(boolean started, boolean duplicate, String executionArn, String executionName,
        String reason) {
    }
}
