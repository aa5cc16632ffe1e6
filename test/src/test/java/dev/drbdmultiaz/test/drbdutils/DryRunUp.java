package dev.drbdmultiaz.test.drbdutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The drbdsetup calls that {@code drbdadm -d up} prints, parsed into the parts the mesh check
 * compares: the local resource, one {@code new-peer}, {@code new-path} and {@code connect} per peer.
 */
record DryRunUp(
    List<NewResource> newResources,
    List<NewPeer> newPeers,
    List<NewPath> newPaths,
    List<Integer> connects) {

    /** {@code drbdsetup new-resource <res> <own node-id> <options...>}. */
    record NewResource(String resource, int nodeId, List<String> options) {
    }

    /** {@code drbdsetup new-peer <res> <peer node-id> --_name=<host> <options...>}. */
    record NewPeer(int peerNodeId, String name, List<String> options) {
    }

    /** {@code drbdsetup new-path <res> <peer node-id> ipv4:<local> ipv4:<remote>}. */
    record NewPath(int peerNodeId, String local, String remote) {
    }

    static DryRunUp parse(String stdout) {
        List<NewResource> resources = new ArrayList<>();
        List<NewPeer> peers = new ArrayList<>();
        List<NewPath> paths = new ArrayList<>();
        List<Integer> connects = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 4 || !words[0].endsWith("drbdsetup")) {
                continue;
            }
            List<String> rest = List.of(words).subList(4, words.length);
            switch (words[1]) {
                case "new-resource" -> resources.add(
                    new NewResource(words[2], Integer.parseInt(words[3]), rest));
                case "new-peer" -> peers.add(new NewPeer(Integer.parseInt(words[3]),
                    option(rest, "--_name"), rest));
                case "new-path" -> paths.add(new NewPath(Integer.parseInt(words[3]), words[4], words[5]));
                case "connect" -> connects.add(Integer.parseInt(words[3]));
                default -> { }
            }
        }
        return new DryRunUp(List.copyOf(resources), List.copyOf(peers), List.copyOf(paths), List.copyOf(connects));
    }

    Map<Integer, String> peerNamesById() {
        return newPeers.stream().collect(Collectors.toMap(NewPeer::peerNodeId, NewPeer::name, (a, b) -> a + "," + b));
    }

    private static String option(List<String> words, String name) {
        return words.stream()
            .filter(word -> word.startsWith(name + "="))
            .map(word -> word.substring(name.length() + 1))
            .findFirst()
            .orElse(null);
    }
}
