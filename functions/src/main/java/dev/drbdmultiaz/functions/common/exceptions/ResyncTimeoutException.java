package dev.drbdmultiaz.functions.common.exceptions;

/**
 * A joining member's disk did not become UpToDate within MAX_RESYNC_HOURS of waiting: the run
 * gives up on it, and the failure path ABANDONs its launch (the group replaces the instance).
 */
public final class ResyncTimeoutException extends TerminalException {

    public ResyncTimeoutException(String message) {
        super(message);
    }
}
