package dev.drbdmultiaz.functions.common.exceptions;

/** A node's status result lacks a field the planner needs (hostname, address). */
public final class ObservationIncompleteException extends TerminalException {

    public ObservationIncompleteException(String message) {
        super(message);
    }
}
