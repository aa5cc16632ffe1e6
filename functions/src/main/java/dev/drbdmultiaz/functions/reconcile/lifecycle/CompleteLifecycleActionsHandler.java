package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.Objects;

/** CompleteLifecycleActions (after Converged) → {@code {"continued":[…],"released":[…],"skipped":[…]}}. */
public final class CompleteLifecycleActionsHandler extends JsonHandler<ReconcileState, LifecycleActions.ActionsResult> {

    private final LifecycleActions actions;

    public CompleteLifecycleActionsHandler() {
        this(LifecycleConfig.from(Env.system()).actions());
        Priming.register(PrimingRequest.DESCRIBE_GROUP, PrimingRequest.DESCRIBE_TABLE);
    }

    public CompleteLifecycleActionsHandler(LifecycleActions actions) {
        super(ReconcileState.class);
        this.actions = Objects.requireNonNull(actions, "actions");
    }

    @Override
    protected LifecycleActions.ActionsResult handle(ReconcileState state) {
        return actions.complete(state);
    }
}
