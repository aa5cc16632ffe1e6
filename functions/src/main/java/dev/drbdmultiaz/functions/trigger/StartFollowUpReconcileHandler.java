package dev.drbdmultiaz.functions.trigger;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.plan.PlanNextStepHandler;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.util.Objects;

/** StartFollowUpReconcile (failure path, after the lock is released) → {@code $.followUp}. */
public final class StartFollowUpReconcileHandler extends JsonHandler<ReconcileState, FollowUps.FollowUpStarted> {

    private final FollowUps followUps;

    public StartFollowUpReconcileHandler() {
        this(fromEnvironment(Env.system()));
        Priming.register(PrimingRequest.DESCRIBE_STATE_MACHINE);
    }

    public StartFollowUpReconcileHandler(FollowUps followUps) {
        super(ReconcileState.class);
        this.followUps = Objects.requireNonNull(followUps, "followUps");
    }

    @Override
    protected FollowUps.FollowUpStarted handle(ReconcileState state) {
        return followUps.start(state);
    }

    /** STATE_MACHINE_ARN, POLL_SECONDS (the wait scale) and LIFECYCLE_HOOK_TIMEOUT_SECONDS. */
    static FollowUps fromEnvironment(Env env) {
        return new FollowUps(AwsClients.sfn(), env.require("STATE_MACHINE_ARN"), PlanNextStepHandler.waitTimeScale(env),
            HeartbeatSchedule.from(env, Clock.systemUTC()).hookTimeout(), Clock.systemUTC());
    }
}
