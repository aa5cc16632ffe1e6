package dev.drbdmultiaz.functions.common.exceptions;

/** Fewer nodes than DRBD quorum majority needs (3) can be put in the configuration. */
public final class ClusterTooSmallException extends TerminalException {

    public ClusterTooSmallException(String message) {
        super(message);
    }
}
