package dev.drbdmultiaz.functions.common.exceptions;

/** An AWS call was refused for a reason a retry does not change (access denied, validation). */
public final class AwsRequestFailedException extends TerminalException {

    public AwsRequestFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
