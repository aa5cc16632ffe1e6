package dev.drbdmultiaz.functions.reconcile.state;

/**
 * One peer as a node sees it.
 *
 * @param nodeId the peer's node-id
 * @param name the peer's name in the config
 * @param connection connection state, e.g. Connected, Connecting, StandAlone
 * @param peerDiskState the peer's disk state as seen from here
 * @param syncPercent resync progress towards that peer, 100 when in sync
 */
public record PeerStatus(Integer nodeId, String name, String connection, String peerDiskState, Double syncPercent) {

    public static final String CONNECTED = "Connected";

    public boolean connected() {
        return CONNECTED.equals(connection);
    }
}
