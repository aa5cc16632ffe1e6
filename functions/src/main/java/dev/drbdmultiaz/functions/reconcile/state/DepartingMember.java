package dev.drbdmultiaz.functions.reconcile.state;

/**
 * A registry member that is no longer live (gone from the group, or Terminating).
 *
 * @param instanceId EC2 instance id
 * @param nodeId its DRBD node-id, held until every survivor forgot it (invariant I6)
 * @param hostname last known {@code uname -n}, or {@code null}
 * @param address last known private IPv4 address, or {@code null}
 * @param pendingAction {@code terminate} while a terminate lifecycle action waits, else {@code null}
 */
public record DepartingMember(
    String instanceId,
    int nodeId,
    String hostname,
    String address,
    String pendingAction) {

    public static final String TERMINATE = "terminate";

    public boolean terminatePending() {
        return TERMINATE.equals(pendingAction);
    }
}
