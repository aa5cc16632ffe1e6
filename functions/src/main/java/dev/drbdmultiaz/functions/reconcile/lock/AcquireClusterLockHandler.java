package dev.drbdmultiaz.functions.reconcile.lock;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.state.LockState;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.util.Objects;

/**
 * AcquireClusterLock → {@code $.lock}. Input: the state with {@code executionArn} (the state
 * machine passes {@code $$.Execution.Id}).
 */
public final class AcquireClusterLockHandler extends JsonHandler<ReconcileState, LockState> {

    private final ClusterLock lock;

    public AcquireClusterLockHandler() {
        this(LockConfig.from(Env.system()).lock());
        Priming.register(PrimingRequest.DESCRIBE_TABLE);
    }

    public AcquireClusterLockHandler(ClusterLock lock) {
        super(ReconcileState.class);
        this.lock = Objects.requireNonNull(lock, "lock");
    }

    @Override
    protected LockState handle(ReconcileState state) {
        String executionArn = state.executionArn();
        if (executionArn == null || executionArn.isBlank()) {
            throw new InvalidStateDocumentException("AcquireClusterLock needs executionArn in its input"
                + " (Parameters: {\"executionArn.$\": \"$$.Execution.Id\"}), but it has none");
        }
        return lock.acquire(executionArn, () -> lock.triggerOf(executionArn));
    }

    /**
     * Environment of the lock functions.
     *
     * @param tableName CLUSTER_TABLE_NAME: the registry table that holds the lock item
     */
    public record LockConfig(String tableName) {

        public static LockConfig from(Env env) {
            return new LockConfig(env.require("CLUSTER_TABLE_NAME"));
        }

        ClusterLock lock() {
            return new ClusterLock(AwsClients.dynamoDb(), AwsClients.sfn(), tableName, Clock.systemUTC());
        }
    }
}
