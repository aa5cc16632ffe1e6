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
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/**
 * TriggerReconcile: EventBridge target that starts a reconcile execution for a lifecycle,
 * re-adjust or schedule event. Input of the execution: {@code {"trigger":{"source","instanceId"}}}.
 * Returns {@code {"started":bool,"duplicate":bool,"executionArn","executionName","reason"}}.
 */
public final class TriggerReconcileHandler extends JsonHandler<JsonNode, TriggerReconcileHandler.TriggerResult> {

    private static final StructuredLog LOG = StructuredLog.of(TriggerReconcileHandler.class);

    private final TriggerEvents events;
    private final SfnClient sfn;
    private final String stateMachineArn;

    public TriggerReconcileHandler() {
        this(Config.from(Env.system()), AwsClients.sfn());
        Priming.register(PrimingRequest.DESCRIBE_STATE_MACHINE);
    }

    public TriggerReconcileHandler(Config config, SfnClient sfn) {
        super(JsonNode.class);
        this.events = new TriggerEvents(config.identity());
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.stateMachineArn = config.stateMachineArn();
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
     */
    public record Config(String stateMachineArn, TriggerEvents.Identity identity) {

        public static Config from(Env env) {
            return new Config(env.require("STATE_MACHINE_ARN"), new TriggerEvents.Identity(
                env.require("CLUSTER_ID"), env.require("AUTO_SCALING_GROUP_NAME"),
                env.require("LAUNCH_HOOK_NAME"), env.require("TERMINATE_HOOK_NAME")));
        }
    }

    /**
     * What the trigger did.
     *
     * @param started a new execution was started
     * @param duplicate the execution for this event existed already
     * @param executionArn the started execution
     * @param executionName its name
     * @param reason why nothing was started
     */
    public record TriggerResult(boolean started, boolean duplicate, String executionArn, String executionName,
        String reason) {
    }
}
