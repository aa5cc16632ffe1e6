package dev.drbdmultiaz.functions.reconcile.state;

/**
 * Result of AcquireClusterLock ({@code $.lock}).
 *
 * @param acquired whether this execution holds the lock; {@code false} means the trigger was
 *     coalesced into the running holder (which reconciles once more before it releases)
 * @param generation the lock's generation after this call
 * @param holderExecutionArn the execution that holds the lock (this one when acquired)
 */
public record LockState(boolean acquired, long generation, String holderExecutionArn) {
}
