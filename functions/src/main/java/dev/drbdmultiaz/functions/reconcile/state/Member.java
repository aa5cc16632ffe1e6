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
 * @param unreachableSince when a run first found its SSM agent offline and went on without it (ISO-8601,
 *     from the registry), or {@code null} while it answers
 */
public record Member(
    String instanceId,
    String availabilityZone,
    String lifecycleState,
    int nodeId,
    String hostname,
    String address,
    String pendingAction,
    String unreachableSince) {

    public static final String LAUNCH = "launch";

    public Member(String instanceId, String availabilityZone, String lifecycleState, int nodeId, String hostname,
        String address, String pendingAction) {
        this(instanceId, availabilityZone, lifecycleState, nodeId, hostname, address, pendingAction, null);
    }

    /** Whether the registry knows the hostname and address: the node can be named in the DRBD config. */
    public boolean endpointKnown() {
        return hostname != null && address != null;
    }

    public boolean launchPending() {
        return LAUNCH.equals(pendingAction);
    }
}
