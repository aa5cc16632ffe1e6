package dev.drbdmultiaz.functions.common.exceptions;

/** A step succeeded but the nodes still report what it should have fixed, or rounds ran out. */
public final class ReconcileStuckException extends TerminalException {

    public ReconcileStuckException(String message) {
        super(message);
    }
}
