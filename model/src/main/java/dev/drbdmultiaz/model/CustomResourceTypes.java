package dev.drbdmultiaz.model;

/** The stack's custom resource types: the template writes them, the deploy functions tell requests apart by them. */
public final class CustomResourceTypes {

    /** The deploy trigger: its Create and Update run a reconcile that {@code cdk deploy} waits on. */
    public static final String DEPLOY_RECONCILE = "Custom::DrbdReconcile";
    /**
     * The data-volume removal (only with {@code drbd:removalPolicy destroy}): its Delete, after the
     * Auto Scaling group's, deletes the cluster's data volumes.
     */
    public static final String DATA_VOLUME_REMOVAL = "Custom::DrbdDataVolumeRemoval";

    private CustomResourceTypes() {
    }
}
