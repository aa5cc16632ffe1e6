package dev.drbdmultiaz.functions.reconcile.lock;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.util.Objects;

/**
 * ReleaseClusterLock and ReleaseClusterLockAfterFailure → {@code {"released":bool,"rerun":bool,"followUp":bool}}.
 * With {@code $.error} present (the failure path) the lock is always released, and a follow-up
 * run is requested for a coalesced trigger or for the lifecycle actions AbandonPendingLaunches
 * handed over ({@code $.abandon.handedOver}); otherwise a coalesced trigger makes the execution
 * keep the lock and rerun.
 */
public final class ReleaseClusterLockHandler extends JsonHandler<ReconcileState, ClusterLock.ReleaseResult> {

    private final ClusterLock lock;

    public ReleaseClusterLockHandler() {
        this(AcquireClusterLockHandler.LockConfig.from(Env.system()).lock());
        Priming.register(PrimingRequest.DESCRIBE_TABLE);
    }

    public ReleaseClusterLockHandler(ClusterLock lock) {
        super(ReconcileState.class);
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    /**
     * Whether this successful run already did what the coalesced trigger asks: a launch whose
     * action CompleteLifecycleActions CONTINUEd now, after the run converged with that instance as
     * a member. Any other trigger (a terminate, a re-adjust, a deploy, ...) asks for another round.
     */
    static boolean covered(String coalesced, ReconcileState state) {
        String[] parts = coalesced.split(" ", 2);
        return parts.length == 2 && Trigger.LAUNCH.equals(parts[0]) && state.lifecycle() != null
            && state.lifecycle().continued().contains(parts[1]);
    }

    @Override
    protected ClusterLock.ReleaseResult handle(ReconcileState state) {
        String executionArn = state.currentExecutionArn();
        if (executionArn == null) {
            throw new InvalidStateDocumentException("ReleaseClusterLock needs executionArn or an acquired"
                + " $.lock.holderExecutionArn, but the state has neither");
        }
        boolean afterFailure = state.error() != null;
        ClusterLock.ReleaseResult result = lock.release(executionArn, afterFailure, coalesced -> covered(coalesced, state));
        return afterFailure && state.abandon() != null ? result.withFollowUpFor(state.abandon().handedOver()) : result;
    }
}
