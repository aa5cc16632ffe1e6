package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The simulated application: one writer on the DRBD device of one member (auto-promote makes that
 * member Primary). When a write fails (its node went away, lost quorum or its disk) it closes the
 * device there and moves to another member whose disk is UpToDate and which has quorum. It
 * records every result in {@link AcknowledgedWrites}. The first member it writes on is drawn like
 * every other, or pinned by position (a reproducer that needs the writer among a fault's members).
 */
final class Application implements AutoCloseable {

    /** Blocks of the device the application writes (4 KiB each, at its start). */
    static final int BLOCKS = 64;
    private static final int MOST_BLOCKS_PER_WRITE = 4;

    private final ChaosCluster cluster;
    private final int nodes;
    private final Random random;
    private final OptionalInt firstMember;
    private final Consumer<Violation> violations;
    private final ChaosClock clock;
    private final AcknowledgedWrites writes = new AcknowledgedWrites();
    private final BackgroundLoop loop;
    private volatile String writer;
    private final List<String> moves = new ArrayList<>();

    Application(ChaosCluster cluster, int nodes, long seed, Duration pause, ChaosClock clock,
        Consumer<Violation> violations) {
        this(cluster, nodes, seed, OptionalInt.empty(), pause, clock, violations);
    }

    /**
     * @param firstMember the position (launch order, {@link ChaosCluster#member}) of the member it
     *     writes on first, if that one has an UpToDate disk and quorum then; empty: drawn from the seed
     */
    Application(ChaosCluster cluster, int nodes, long seed, OptionalInt firstMember, Duration pause,
        ChaosClock clock, Consumer<Violation> violations) {
        this.cluster = cluster;
        this.nodes = nodes;
        this.random = new Random(seed);
        this.firstMember = firstMember;
        this.clock = clock;
        this.violations = violations;
        // A node command that could not run at all (the node vanished mid-call): write elsewhere.
        this.loop = new BackgroundLoop("chaos-application", pause, this::writeOnce, e -> writer = null);
    }

    void start() {
        loop.start();
    }

    private void writeOnce() {
        if (writer == null && !move()) {
            return;
        }
        int first = random.nextInt(BLOCKS);
        int count = 1 + random.nextInt(Math.min(MOST_BLOCKS_PER_WRITE, BLOCKS - first));
        NodeFleet.AppWrite written = cluster.run().appWrite(writer, first, count);
        writes.record(written);
        if (written.ok() && (1 + written.replicatedTo().size()) * 2 <= nodes) {
            violations.accept(new Violation(Invariant.QUORUM_ACK, clock.seconds(), "write of blocks " + first + ".."
                + (first + count - 1) + " acknowledged on " + writer + " held by it and node-ids "
                + written.replicatedTo() + " only: not a majority of " + nodes));
        }
        if (!written.ok()) {
            try {
                cluster.run().appClose(writer);
            } catch (RuntimeException gone) {
                // The node is gone; nothing to close.
            }
            writer = null;
        }
    }

    /** Opens the device on a member with an UpToDate disk and quorum; whether one was found. */
    private boolean move() {
        List<NodeFleet.DeviceView> candidates = cluster.memberDevices().stream()
            .filter(v -> v.up() && "UpToDate".equals(v.disk()) && v.quorum()).toList();
        if (candidates.isEmpty()) {
            return false;
        }
        String pinned = moves.isEmpty() && firstMember.isPresent()
            ? cluster.member(firstMember.getAsInt()).orElse(null) : null;
        writer = candidates.stream().map(NodeFleet.DeviceView::instanceId).filter(id -> id.equals(pinned)).findFirst()
            .orElseGet(() -> candidates.get(random.nextInt(candidates.size())).instanceId());
        moves.add(String.format(Locale.ROOT, "%.1fs %s", clock.seconds(), writer));
        return true;
    }

    /** What the application was promised. */
    AcknowledgedWrites writes() {
        return writes;
    }

    /** Where the application wrote, with when it moved there. */
    List<String> moves() {
        return List.copyOf(moves);
    }

    /** Stops writing and closes the device. */
    @Override
    public void close() {
        loop.close();
        if (writer != null) {
            try {
                cluster.run().appClose(writer);
            } catch (RuntimeException gone) {
                // The node is gone; nothing to close.
            }
        }
    }
}
