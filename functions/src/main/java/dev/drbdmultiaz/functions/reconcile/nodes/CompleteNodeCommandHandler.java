package dev.drbdmultiaz.functions.reconcile.nodes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.common.exceptions.InvalidTriggerEventException;
import java.util.Objects;

/**
 * CompleteNodeCommand, the target of the rule on SSM's "EC2 Command Status-change Notification"
 * for the cluster's documents in a terminal status: finds the round that sent the command and
 * completes the task that waits for it. An event for a command no round recorded (not this
 * workflow's, or one that ended before SendNodeCommand recorded it, which SendNodeCommand then
 * completes itself) changes nothing. EventBridge delivers at least once; a duplicate finds the
 * round claimed.
 */
public final class CompleteNodeCommandHandler
    extends JsonHandler<CompleteNodeCommandHandler.CommandStatusEvent, CompleteNodeCommandHandler.Handled> {

    static final String DETAIL_TYPE = "EC2 Command Status-change Notification";
    private static final StructuredLog LOG = StructuredLog.of(CompleteNodeCommandHandler.class);

    /**
     * The event's fields this function reads (SSM user guide, "Monitoring Systems Manager events
     * with Amazon EventBridge": Run Command status-change events).
     */
    public record CommandStatusEvent(@JsonProperty("detail-type") String detailType, String source, Detail detail) {
    }

    /** The event's detail. */
    public record Detail(@JsonProperty("command-id") String commandId,
        @JsonProperty("document-name") String documentName, String status) {
    }

    /**
     * What the event came to.
     *
     * @param commandId the command
     * @param outcome the completion's outcome, or {@code NOT_RECORDED}
     */
    public record Handled(String commandId, String outcome) {
    }

    private final CommandRounds rounds;
    private final NodeStepCompletion completion;

    public CompleteNodeCommandHandler() {
        this(CollectCommandResultsHandler.Config.from(Env.system()));
        Priming.register(PrimingRequest.GET_COMMAND_INVOCATION, PrimingRequest.DESCRIBE_TABLE);
    }

    private CompleteNodeCommandHandler(CollectCommandResultsHandler.Config config) {
        this(config.collector(), config.rounds());
    }

    private CompleteNodeCommandHandler(CommandCollector collector, CommandRounds rounds) {
        this(rounds, new NodeStepCompletion(collector, rounds, AwsClients.sfn()));
    }

    public CompleteNodeCommandHandler(CommandRounds rounds, NodeStepCompletion completion) {
        super(CommandStatusEvent.class);
        this.rounds = Objects.requireNonNull(rounds, "rounds");
        this.completion = Objects.requireNonNull(completion, "completion");
    }

    @Override
    protected Handled handle(CommandStatusEvent event) {
        if (!DETAIL_TYPE.equals(event.detailType()) || event.detail() == null || event.detail().commandId() == null) {
            throw new InvalidTriggerEventException("CompleteNodeCommand takes \"" + DETAIL_TYPE
                + "\" events with detail.command-id, got detail-type " + event.detailType());
        }
        String commandId = event.detail().commandId();
        return rounds.findByCommand(commandId)
            .map(stored -> new Handled(commandId, completion.completeIfEnded(stored).name()))
            .orElseGet(() -> {
                LOG.info("No round recorded for command", "commandId", commandId,
                    "documentName", event.detail().documentName(), "status", event.detail().status());
                return new Handled(commandId, "NOT_RECORDED");
            });
    }
}
