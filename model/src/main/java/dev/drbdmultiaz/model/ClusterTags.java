package dev.drbdmultiaz.model;

/**
 * The tags this project puts on AWS resources: defined once for the constructs that tag at launch
 * and the IAM conditions that scope actions to this cluster's resources.
 */
public final class ClusterTags {

    /** On every node (propagated at launch); its value is the cluster id. */
    public static final String CLUSTER = "drbd-multiaz:cluster";
    /**
     * On a member's data volume (put by the reconcile while it is attached): the instance it belongs
     * to, so that once detached it can still be matched to the registry (a detached volume has no
     * attachment to tell).
     */
    public static final String INSTANCE_ID = "drbd-multiaz:instance-id";
    /** On a member's data volume, next to {@link #INSTANCE_ID}: the member's DRBD node-id. */
    public static final String NODE_ID = "drbd-multiaz:node-id";

    private ClusterTags() {
    }
}
