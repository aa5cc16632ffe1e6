package dev.drbdmultiaz.functions.common.exceptions;

/**
 * A failure that running the same task again cannot fix: the state machine catches it, abandons
 * pending launches, releases the lock and fails the execution with the message as its cause.
 * Messages say what was wrong and what the operator can do.
 */
public abstract class TerminalException extends RuntimeException {

    protected TerminalException(String message) {
        super(message);
    }

    protected TerminalException(String message, Throwable cause) {
        super(message, cause);
    }
}
