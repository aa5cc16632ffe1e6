package dev.drbdmultiaz.functions.common.exceptions;

/** The state document a task received is not JSON or lacks a field the task needs. */
public final class InvalidStateDocumentException extends TerminalException {

    public InvalidStateDocumentException(String message) {
        super(message);
    }

    public InvalidStateDocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
