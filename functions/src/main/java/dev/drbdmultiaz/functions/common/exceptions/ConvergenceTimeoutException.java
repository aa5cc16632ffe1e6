package dev.drbdmultiaz.functions.common.exceptions;

/**
 * The bounded wait for connections (every pair of members Connected, some replica UpToDate)
 * ran out of attempts.
 */
public final class ConvergenceTimeoutException extends TerminalException {

    public ConvergenceTimeoutException(String message) {
        super(message);
    }
}
