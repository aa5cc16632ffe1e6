package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/** CollectCommandResults → {@code $.collected}. */
public final class CollectCommandResultsHandler extends JsonHandler<ReconcileState, Collected> {

    private final CommandCollector collector;

    public CollectCommandResultsHandler() {
        this(Config.from(Env.system()).collector());
        Priming.register(PrimingRequest.GET_COMMAND_INVOCATION);
    }

    public CollectCommandResultsHandler(CommandCollector collector) {
        super(ReconcileState.class);
        this.collector = Objects.requireNonNull(collector, "collector");
    }

    @Override
    protected Collected handle(ReconcileState state) {
        return collector.collect(state);
    }

    /**
     * Environment of CollectCommandResults.
     *
     * @param maxWaitSeconds COMMAND_WAIT_MAX_SECONDS (default 3600): a command still pending after
     *     this fails the step
     * @param heartbeats from LIFECYCLE_HOOK_TIMEOUT_SECONDS
     */
    public record Config(int maxWaitSeconds, HeartbeatSchedule heartbeats) {

        public static Config from(Env env) {
            return new Config(env.optionalInt("COMMAND_WAIT_MAX_SECONDS", 3600, 30, 86_400),
                HeartbeatSchedule.from(env, Clock.systemUTC()));
        }

        CommandCollector collector() {
            return new CommandCollector(AwsClients.ssm(), Duration.ofSeconds(maxWaitSeconds), Clock.systemUTC(),
                heartbeats);
        }
    }
}
