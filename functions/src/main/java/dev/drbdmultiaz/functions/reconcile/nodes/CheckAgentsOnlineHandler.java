package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.plan.PlanNextStepHandler;
import dev.drbdmultiaz.functions.reconcile.state.AgentsStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.time.Clock;
import java.util.Objects;

/** CheckAgentsOnline → {@code $.agents}. */
public final class CheckAgentsOnlineHandler extends JsonHandler<ReconcileState, AgentsStatus> {

    private final AgentCheck check;

    public CheckAgentsOnlineHandler() {
        this(Config.from(Env.system()).check());
        Priming.register(PrimingRequest.DESCRIBE_AGENTS);
    }

    public CheckAgentsOnlineHandler(AgentCheck check) {
        super(ReconcileState.class);
        this.check = Objects.requireNonNull(check, "check");
    }

    @Override
    protected AgentsStatus handle(ReconcileState state) {
        return check.check(state);
    }

    /**
     * Environment of CheckAgentsOnline.
     *
     * @param maxAttempts AGENT_WAIT_MAX_ATTEMPTS
     * @param waitTimeScale POLL_SECONDS / 5 (POLL_SECONDS default 5): scales the backoff
     * @param heartbeats from LIFECYCLE_HOOK_TIMEOUT_SECONDS
     */
    public record Config(int maxAttempts, double waitTimeScale, HeartbeatSchedule heartbeats) {

        public static Config from(Env env) {
            return new Config(env.settingInt(ReconcileSetting.AGENT_WAIT_MAX_ATTEMPTS),
                PlanNextStepHandler.waitTimeScale(env), HeartbeatSchedule.from(env, Clock.systemUTC()));
        }

        AgentCheck check() {
            return new AgentCheck(AwsClients.ssm(), maxAttempts, waitTimeScale, heartbeats);
        }
    }
}
