package dev.drbdmultiaz.functions.reconcile.state;

/**
 * A live member of the cluster.
 *
 * @param instanceId EC2 instance id
 * @param availabilityZone from Auto Scaling
 * @param lifecycleState Auto Scaling lifecycle state, e.g. {@code Pending:Wait}, {@code InService}
 * @param nodeId stable DRBD node-id from the registry
 * @param hostname the node's {@code uname -n} as the registry knows it, or {@code null}
 * @param address the node's private IPv4 address as the registry knows it, or {@code null}
 * @param pendingAction {@code launch} while a launch lifecycle action waits, else {@code null}
 */
public record Member(
    String instanceId,
    String availabilityZone,
    String lifecycleState,
    int nodeId,
    String hostname,
    String address,
    String pendingAction) {

    public static final String LAUNCH = "launch";

    public boolean launchPending() {
        return LAUNCH.equals(pendingAction);
    }
}
