package dev.drbdmultiaz.functions.common.exceptions;

/**
 * The data-volume removal that {@code cdk destroy} started failed (volumes still attached, an EC2
 * error); the message carries its error and cause so the stack deletion shows them.
 */
public final class DataVolumeRemovalFailedException extends TerminalException {

    public DataVolumeRemovalFailedException(String message) {
        super(message);
    }
}
