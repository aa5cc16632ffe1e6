package dev.drbdmultiaz.functions.common.exceptions;

/**
 * A failure that may pass when the same task runs again: the state machine names every
 * subclass in a {@code Retry} block. Java Lambdas report the fully-qualified class name as the
 * error type, so subclasses are final and never renamed.
 */
public abstract class RetryableException extends RuntimeException {

    protected RetryableException(String message) {
        super(message);
    }

    protected RetryableException(String message, Throwable cause) {
        super(message, cause);
    }
}
