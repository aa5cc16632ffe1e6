package dev.drbdmultiaz.functions.common.exceptions;

/**
 * A data volume could not be grown to drbd:dataVolumeGiB: EC2 refused the modification (another
 * one in progress, the per-volume modification limit reached, ...) or reported it failed, or the
 * node did not see the larger size within the bound. Nothing else was changed; the message says
 * which volume, what EC2 answered, and what to do.
 */
public final class VolumeGrowthFailedException extends TerminalException {

    public VolumeGrowthFailedException(String message) {
        super(message);
    }
}
