package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the application was promised, block by block: the content of its last acknowledged write
 * there, and of every write it tried there after that (an unacknowledged write may or may not have
 * reached a disk; an acknowledged one must be on every UpToDate member after healing).
 */
final class AcknowledgedWrites {

    private final Map<Integer, Set<String>> allowed = new HashMap<>();
    private int acknowledged;
    private int failed;

    /** Records one write's result, in the order the application made them. */
    synchronized void record(NodeFleet.AppWrite written) {
        written.attempted().forEach((block, checksum) -> {
            Set<String> contents = allowed.get(block);
            if (contents != null) {
                contents.add(checksum);
            }
        });
        if (written.ok()) {
            acknowledged++;
            written.acknowledged().forEach((block, checksum) -> allowed.put(block, new HashSet<>(Set.of(checksum))));
        } else {
            failed++;
        }
    }

    /** The blocks whose acknowledged content {@code held} (block -> checksum on one disk) lacks, in order. */
    synchronized List<Integer> missingOn(Map<Integer, String> held) {
        return allowed.entrySet().stream().filter(e -> !e.getValue().contains(held.get(e.getKey())))
            .map(Map.Entry::getKey).sorted().toList();
    }

    synchronized int acknowledged() {
        return acknowledged;
    }

    synchronized int failed() {
        return failed;
    }
}
