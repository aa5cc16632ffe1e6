package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * CollectCommandResults → {@code $.collected}: the polling fallback, entered when RunNodeStep's
 * callback timed out (its event was lost, or the command runs longer than the task waits). Reads
 * the round the state waits for from the registry and collects it once; a round not recorded yet
 * (its send still runs) is Pending.
 */
public final class CollectCommandResultsHandler extends JsonHandler<ReconcileState, Collected> {

    private final CommandCollector collector;
    private final CommandRounds rounds;

    public CollectCommandResultsHandler() {
        this(Config.from(Env.system()));
        Priming.register(PrimingRequest.GET_COMMAND_INVOCATION, PrimingRequest.DESCRIBE_TABLE);
    }

    private CollectCommandResultsHandler(Config config) {
        this(config.collector(), config.rounds());
    }

    public CollectCommandResultsHandler(CommandCollector collector, CommandRounds rounds) {
        super(ReconcileState.class);
        this.collector = Objects.requireNonNull(collector, "collector");
        this.rounds = Objects.requireNonNull(rounds, "rounds");
    }

    @Override
    protected Collected handle(ReconcileState state) {
        String key = CommandRound.keyOf(state);
        return rounds.find(key).map(stored -> collector.collect(state, stored.round()))
            .orElseGet(() -> collector.notSentYet(state, key));
    }

    /**
     * Environment of CollectCommandResults (and of the completion, which collects the same way).
     *
     * @param maxWaitSeconds COMMAND_WAIT_MAX_SECONDS (default 3600): a command still pending after
     *     this fails the step
     * @param heartbeats from LIFECYCLE_HOOK_TIMEOUT_SECONDS
     * @param tableName CLUSTER_TABLE_NAME: the registry table that holds the rounds in flight
     */
    public record Config(int maxWaitSeconds, HeartbeatSchedule heartbeats, String tableName) {

        public static Config from(Env env) {
            return new Config(env.optionalInt("COMMAND_WAIT_MAX_SECONDS", 3600, 30, 86_400),
                HeartbeatSchedule.from(env, Clock.systemUTC()), env.require("CLUSTER_TABLE_NAME"));
        }

        CommandCollector collector() {
            return new CommandCollector(AwsClients.ssm(), Duration.ofSeconds(maxWaitSeconds), Clock.systemUTC(),
                heartbeats);
        }

        CommandRounds rounds() {
            return new CommandRounds(AwsClients.dynamoDb(), tableName, Clock.systemUTC());
        }
    }
}
