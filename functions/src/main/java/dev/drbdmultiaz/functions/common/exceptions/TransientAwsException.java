package dev.drbdmultiaz.functions.common.exceptions;

/** An AWS call failed with throttling, a 5xx or a network error after the SDK's own retries. */
public final class TransientAwsException extends RetryableException {

    public TransientAwsException(String message, Throwable cause) {
        super(message, cause);
    }
}
