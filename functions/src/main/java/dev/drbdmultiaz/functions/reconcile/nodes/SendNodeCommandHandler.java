package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/** SendNodeCommand (RunNodeStep, callback pattern) → what was sent; the result arrives by task token. */
public final class SendNodeCommandHandler extends JsonHandler<NodeStepRequest, NodeStepStarter.Started> {

    private final NodeStepStarter starter;

    public SendNodeCommandHandler() {
        this(Config.from(Env.system()).starter());
        Priming.register(PrimingRequest.DESCRIBE_STATUS_DOCUMENT, PrimingRequest.DESCRIBE_TABLE);
    }

    public SendNodeCommandHandler(NodeStepStarter starter) {
        super(NodeStepRequest.class);
        this.starter = Objects.requireNonNull(starter, "starter");
    }

    @Override
    protected NodeStepStarter.Started handle(NodeStepRequest request) {
        return starter.start(request);
    }

    /**
     * Environment of SendNodeCommand.
     *
     * @param outputLogGroup COMMAND_LOG_GROUP_NAME (optional): CloudWatch Logs group for full output
     * @param deliveryTimeoutSeconds COMMAND_DELIVERY_TIMEOUT_SECONDS (default 600): how long SSM
     *     tries to deliver to an instance
     * @param collect the collector's and the rounds' settings, for the check right after the send
     */
    public record Config(Optional<String> outputLogGroup, int deliveryTimeoutSeconds,
        CollectCommandResultsHandler.Config collect) {

        public static Config from(Env env) {
            return new Config(env.optional("COMMAND_LOG_GROUP_NAME"),
                env.optionalInt("COMMAND_DELIVERY_TIMEOUT_SECONDS", 600, 30, 2_592_000),
                CollectCommandResultsHandler.Config.from(env));
        }

        NodeStepStarter starter() {
            CommandRounds rounds = collect.rounds();
            return new NodeStepStarter(
                new NodeCommandSender(AwsClients.ssm(), outputLogGroup, deliveryTimeoutSeconds, Clock.systemUTC()),
                rounds, new NodeStepCompletion(collect.collector(), rounds, AwsClients.sfn()));
        }
    }
}
