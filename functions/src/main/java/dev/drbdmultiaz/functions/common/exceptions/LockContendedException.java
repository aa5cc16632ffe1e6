package dev.drbdmultiaz.functions.common.exceptions;

/** The cluster lock item changed under every attempt to acquire or release it; try again. */
public final class LockContendedException extends RetryableException {

    public LockContendedException(String message) {
        super(message);
    }
}
