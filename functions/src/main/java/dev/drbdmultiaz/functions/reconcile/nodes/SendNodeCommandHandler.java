package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.state.CommandSent;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/** SendNodeCommand → {@code $.command}. */
public final class SendNodeCommandHandler extends JsonHandler<ReconcileState, CommandSent> {

    private final NodeCommandSender sender;

    public SendNodeCommandHandler() {
        this(Config.from(Env.system()).sender());
        Priming.register(PrimingRequest.DESCRIBE_STATUS_DOCUMENT);
    }

    public SendNodeCommandHandler(NodeCommandSender sender) {
        super(ReconcileState.class);
        this.sender = Objects.requireNonNull(sender, "sender");
    }

    @Override
    protected CommandSent handle(ReconcileState state) {
        return sender.send(state);
    }

    /**
     * Environment of SendNodeCommand.
     *
     * @param outputLogGroup COMMAND_LOG_GROUP_NAME (optional): CloudWatch Logs group for full output
     * @param deliveryTimeoutSeconds COMMAND_DELIVERY_TIMEOUT_SECONDS (default 600): how long SSM
     *     tries to deliver to an instance
     */
    public record Config(Optional<String> outputLogGroup, int deliveryTimeoutSeconds) {

        public static Config from(Env env) {
            return new Config(env.optional("COMMAND_LOG_GROUP_NAME"),
                env.optionalInt("COMMAND_DELIVERY_TIMEOUT_SECONDS", 600, 30, 2_592_000));
        }

        NodeCommandSender sender() {
            return new NodeCommandSender(AwsClients.ssm(), outputLogGroup, deliveryTimeoutSeconds, Clock.systemUTC());
        }
    }
}
