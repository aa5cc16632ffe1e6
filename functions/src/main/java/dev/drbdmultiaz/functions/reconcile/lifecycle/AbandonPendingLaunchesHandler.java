package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.state.FailureHandover;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.Objects;

/**
 * AbandonPendingLaunches (failure path, reads {@code $.error}) → {@code $.abandon}
 * {@code {"abandoned":[…],"handedOver":[…],"skipped":[…]}}.
 */
public final class AbandonPendingLaunchesHandler extends JsonHandler<ReconcileState, FailureHandover> {

    private final LifecycleActions actions;

    public AbandonPendingLaunchesHandler() {
        this(LifecycleConfig.from(Env.system()).actions());
        Priming.register(PrimingRequest.DESCRIBE_GROUP);
    }

    public AbandonPendingLaunchesHandler(LifecycleActions actions) {
        super(ReconcileState.class);
        this.actions = Objects.requireNonNull(actions, "actions");
    }

    @Override
    protected FailureHandover handle(ReconcileState state) {
        return actions.abandonPendingLaunches(state);
    }
}
