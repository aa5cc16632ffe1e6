package dev.drbdmultiaz.functions.common.exceptions;

/**
 * Every replica is Inconsistent but the cluster is not brand-new, so skipping the initial sync
 * could hide lost data (invariant I2): an operator has to pick the replica that holds the data.
 */
public final class AllReplicasInconsistentException extends TerminalException {

    public AllReplicasInconsistentException(String message) {
        super(message);
    }
}
