package dev.drbdmultiaz.functions.common.exceptions;

/** The Auto Scaling group of the cluster does not exist. */
public final class ClusterNotFoundException extends TerminalException {

    public ClusterNotFoundException(String message) {
        super(message);
    }
}
