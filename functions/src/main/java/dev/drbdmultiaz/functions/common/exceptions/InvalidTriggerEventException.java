package dev.drbdmultiaz.functions.common.exceptions;

/** An EventBridge event is malformed or not one the trigger accepts; nothing was started. */
public final class InvalidTriggerEventException extends TerminalException {

    public InvalidTriggerEventException(String message) {
        super(message);
    }

    public InvalidTriggerEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
