package dev.drbdmultiaz.model;

/**
 * The replica's data volume: where the launch template maps it, read by the construct that maps
 * it and by the reconcile that finds a member's volume among its attachments.
 */
public final class DataVolume {

    /** The block device mapping's name; Nitro instances expose it as an NVMe device the nodes resolve. */
    public static final String DEVICE_NAME = "/dev/sdf";

    private DataVolume() {
    }
}
