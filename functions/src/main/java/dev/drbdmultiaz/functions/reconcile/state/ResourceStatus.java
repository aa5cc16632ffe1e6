package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;
import java.util.Optional;

/**
 * DRBD resource state on one node.
 *
 * @param role Primary or Secondary
 * @param diskState local disk state, e.g. UpToDate, Inconsistent
 * @param peers one entry per configured peer
 * @param sizeKiB the replicated device's size ({@code drbdsetup status --json} devices[0].size), {@code null}
 *     when not reported
 * @param backingKiB the backing LV's size, {@code null} when not reported
 */
public record ResourceStatus(String role, String diskState, List<PeerStatus> peers, Long sizeKiB, Long backingKiB) {

    public ResourceStatus {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    /** A resource state without sizes. */
    public ResourceStatus(String role, String diskState, List<PeerStatus> peers) {
        this(role, diskState, peers, null, null);
    }

    /** The entry for the peer with {@code nodeId}. */
    public Optional<PeerStatus> peer(int nodeId) {
        return peers.stream().filter(p -> p.nodeId() != null && p.nodeId() == nodeId).findFirst();
    }
}
