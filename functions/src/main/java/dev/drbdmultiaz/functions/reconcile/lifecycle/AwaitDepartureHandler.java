package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.plan.PlanNextStepHandler;
import dev.drbdmultiaz.functions.reconcile.state.DepartureStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.Objects;

/** AwaitDeparture (after ReleaseDepartingMembers, and after each WaitForDeparture) → {@code $.departure}. */
public final class AwaitDepartureHandler extends JsonHandler<ReconcileState, DepartureStatus> {

    private final LifecycleActions actions;
    private final double waitTimeScale;

    public AwaitDepartureHandler() {
        this(LifecycleConfig.from(Env.system()).actions(), PlanNextStepHandler.waitTimeScale(Env.system()));
        Priming.register(PrimingRequest.DESCRIBE_GROUP);
    }

    /** @param waitTimeScale POLL_SECONDS / 5: scales the waits between checks */
    public AwaitDepartureHandler(LifecycleActions actions, double waitTimeScale) {
        super(ReconcileState.class);
        this.actions = Objects.requireNonNull(actions, "actions");
        this.waitTimeScale = waitTimeScale;
    }

    @Override
    protected DepartureStatus handle(ReconcileState state) {
        return actions.awaitDeparture(state, waitTimeScale);
    }
}
