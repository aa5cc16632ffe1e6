package dev.drbdmultiaz.model;

/**
 * The tags this project puts on AWS resources: defined once for the constructs that tag at launch
 * and the IAM conditions that scope actions to this cluster's resources.
 */
public final class ClusterTags {

    /** On every node (propagated at launch); its value is the cluster id. */
    public static final String CLUSTER = "drbd-multiaz:cluster";

    private ClusterTags() {
    }
}
