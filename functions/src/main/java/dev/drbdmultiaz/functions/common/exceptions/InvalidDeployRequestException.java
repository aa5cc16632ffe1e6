package dev.drbdmultiaz.functions.common.exceptions;

/** A CloudFormation custom resource request lacks a field the deploy trigger needs. */
public final class InvalidDeployRequestException extends TerminalException {

    public InvalidDeployRequestException(String message) {
        super(message);
    }
}
