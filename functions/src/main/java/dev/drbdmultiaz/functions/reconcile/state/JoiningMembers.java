package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;
import java.util.Map;

/**
 * The members a run may not put in service yet: their launch action waits and their disk is not
 * UpToDate (a resync still runs, or no observation says otherwise). The planner waits for them
 * (WaitForResync); after ResyncTimeoutException the failure path abandons their launches.
 */
public final class JoiningMembers {

    private static final String UP_TO_DATE = "UpToDate";

    private JoiningMembers() {
    }

    /** Those of {@code members} whose launch waits and whose {@code observed} disk is not UpToDate. */
    public static List<Member> notUpToDate(List<Member> members, Map<String, NodeStatus> observed) {
        return members.stream().filter(Member::launchPending)
            .filter(m -> observed.get(m.instanceId()) == null
                || !UP_TO_DATE.equals(observed.get(m.instanceId()).diskState()))
            .toList();
    }
}
