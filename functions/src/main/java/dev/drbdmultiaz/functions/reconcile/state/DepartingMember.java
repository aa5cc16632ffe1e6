package dev.drbdmultiaz.functions.reconcile.state;

/**
 * A registry member that is no longer live (gone from the group, or Terminating).
 *
 * @param instanceId EC2 instance id
 * @param nodeId its DRBD node-id, held until every survivor forgot it (invariant I6)
 * @param hostname last known {@code uname -n}, or {@code null}
 * @param address last known private IPv4 address, or {@code null}
 * @param pendingAction {@code terminate} while a terminate lifecycle action waits, else {@code null}
 * @param instanceListed the group still lists the instance (Terminating:Wait, Terminating:Proceed):
 *     it may still run DRBD, so the survivors keep it in their config and connected (invariant I9)
 */
public record DepartingMember(
    String instanceId,
    int nodeId,
    String hostname,
    String address,
    String pendingAction,
    boolean instanceListed) {

    public static final String TERMINATE = "terminate";

    public DepartingMember {
        // A terminate action waits only on an instance the group lists; a state document written
        // before this field existed has it false.
        instanceListed = instanceListed || TERMINATE.equals(pendingAction);
    }

    /**
     * Whether the group still lists an instance in {@code lifecycleState} ({@code null}: the group
     * does not list it): every state but Terminated, so Terminating:Proceed too.
     */
    public static boolean listed(String lifecycleState) {
        return lifecycleState != null && !"Terminated".equals(lifecycleState);
    }

    /** Listed exactly while its terminate action waits. */
    public DepartingMember(String instanceId, int nodeId, String hostname, String address, String pendingAction) {
        this(instanceId, nodeId, hostname, address, pendingAction, false);
    }

    public boolean terminatePending() {
        return TERMINATE.equals(pendingAction);
    }
}
