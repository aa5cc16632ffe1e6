package dev.drbdmultiaz.functions.reconcile.state;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which active members the last observation shows Connected to each other: one reading for the
 * planner (wait for the connections, give up after the bound) and for the failure path (a launch
 * that never connected is ABANDONed so the group replaces it).
 */
public final class Connections {

    private Connections() {
    }

    /**
     * A pair of members not Connected both ways.
     *
     * @param ab the connection state {@code a} reports towards {@code b} ({@code Down} when its
     *     resource is down, {@code Unknown} when it has no such peer or was not observed)
     */
    public record Pair(Member a, Member b, String ab, String ba) {

        @Override
        public String toString() {
            return String.format("%s-%s (%s/%s)", a.instanceId(), b.instanceId(), ab, ba);
        }
    }

    /** Every pair of {@code members} not Connected both ways, in member order. */
    public static List<Pair> unconnected(List<Member> members, Map<String, NodeStatus> observed) {
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            for (int j = i + 1; j < members.size(); j++) {
                Member a = members.get(i);
                Member b = members.get(j);
                String ab = connection(observed.get(a.instanceId()), b);
                String ba = connection(observed.get(b.instanceId()), a);
                if (!PeerStatus.CONNECTED.equals(ab) || !PeerStatus.CONNECTED.equals(ba)) {
                    pairs.add(new Pair(a, b, ab, ba));
                }
            }
        }
        return pairs;
    }

    /** The members Connected (both ways) to no other of {@code members}: cut off from every peer. */
    public static List<Member> isolated(List<Member> members, Map<String, NodeStatus> observed) {
        List<Member> isolated = new ArrayList<>();
        for (Member member : members) {
            boolean linked = members.stream().anyMatch(other -> other != member
                && PeerStatus.CONNECTED.equals(connection(observed.get(member.instanceId()), other))
                && PeerStatus.CONNECTED.equals(connection(observed.get(other.instanceId()), member)));
            if (!linked) {
                isolated.add(member);
            }
        }
        return isolated;
    }

    /** The instance ids of the members in some unconnected pair. */
    public static Set<String> unconnectedMembers(List<Member> members, Map<String, NodeStatus> observed) {
        Set<String> ids = new LinkedHashSet<>();
        for (Pair pair : unconnected(members, observed)) {
            ids.add(pair.a().instanceId());
            ids.add(pair.b().instanceId());
        }
        return ids;
    }

    private static String connection(NodeStatus from, Member to) {
        if (from == null) {
            return "Unknown";
        }
        if (from.resource() == null) {
            return "Down";
        }
        return from.resource().peer(to.nodeId()).map(PeerStatus::connection).orElse("Unknown");
    }
}
