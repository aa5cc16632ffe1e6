package dev.drbdmultiaz.functions.common.exceptions;

/**
 * The reconcile execution started for a deployment failed, timed out or was aborted; the message
 * carries its error and cause so {@code cdk deploy} shows them.
 */
public final class ReconcileExecutionFailedException extends TerminalException {

    public ReconcileExecutionFailedException(String message) {
        super(message);
    }
}
