package dev.drbdmultiaz.functions.reconcile.lock;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.Objects;

/**
 * ReleaseClusterLock and ReleaseClusterLockAfterFailure → {@code {"released":bool,"rerun":bool}}.
 * With {@code $.error} present (the failure path) the lock is always released; otherwise a
 * coalesced trigger makes the execution keep it and rerun.
 */
public final class ReleaseClusterLockHandler extends JsonHandler<ReconcileState, ClusterLock.ReleaseResult> {

    private final ClusterLock lock;

    public ReleaseClusterLockHandler() {
        this(AcquireClusterLockHandler.LockConfig.from(Env.system()).lock());
    }

    public ReleaseClusterLockHandler(ClusterLock lock) {
        super(ReconcileState.class);
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    @Override
    protected ClusterLock.ReleaseResult handle(ReconcileState state) {
        String executionArn = state.currentExecutionArn();
        if (executionArn == null) {
            throw new InvalidStateDocumentException("ReleaseClusterLock needs executionArn or an acquired"
                + " $.lock.holderExecutionArn, but the state has neither");
        }
        return lock.release(executionArn, state.error() != null);
    }
}
