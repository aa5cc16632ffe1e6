package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;
import java.util.Optional;

/**
 * DRBD resource state on one node.
 *
 * @param role Primary or Secondary
 * @param diskState local disk state, e.g. UpToDate, Inconsistent
 * @param peers one entry per configured peer
 */
public record ResourceStatus(String role, String diskState, List<PeerStatus> peers) {

    public ResourceStatus {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    /** The entry for the peer with {@code nodeId}. */
    public Optional<PeerStatus> peer(int nodeId) {
        return peers.stream().filter(p -> p.nodeId() != null && p.nodeId() == nodeId).findFirst();
    }
}
