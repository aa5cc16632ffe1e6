package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.state.HeartbeatStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.Objects;

/**
 * RecordLifecycleHeartbeats: RecordLifecycleActionHeartbeat for every waiting action of the group
 * → {@code $.heartbeat} {@code {"recordedAt","dueAt","instanceIds":[…],"skipped":[…]}}.
 */
public final class RecordLifecycleHeartbeatsHandler extends JsonHandler<ReconcileState, HeartbeatStatus> {

    private final LifecycleActions actions;

    public RecordLifecycleHeartbeatsHandler() {
        this(LifecycleConfig.from(Env.system()).actions());
        Priming.register(PrimingRequest.DESCRIBE_GROUP);
    }

    public RecordLifecycleHeartbeatsHandler(LifecycleActions actions) {
        super(ReconcileState.class);
        this.actions = Objects.requireNonNull(actions, "actions");
    }

    @Override
    protected HeartbeatStatus handle(ReconcileState state) {
        return actions.recordHeartbeats(state);
    }
}
