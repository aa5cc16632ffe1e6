package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Watches the devices while the faults run: every sample reads all nodes under one fleet lock (one
 * instant) and reports two members Primary with quorum at that instant; it also remembers which
 * instances were ever UpToDate (a launch ABANDONed after that lost a healthy member).
 */
final class InvariantMonitor implements AutoCloseable {

    private final ChaosClock clock;
    private final Consumer<Violation> violations;
    private final Set<String> everUpToDate = ConcurrentHashMap.newKeySet();
    private final Set<String> reportedPrimaries = ConcurrentHashMap.newKeySet();
    private final BackgroundLoop loop;
    private volatile int samples;

    InvariantMonitor(ChaosCluster cluster, Duration interval, ChaosClock clock, Consumer<Violation> violations) {
        this.clock = clock;
        this.violations = violations;
        // One unreadable sample (a node command raced a termination): the next one reads again.
        this.loop = new BackgroundLoop("chaos-invariants", interval, () -> sample(cluster.run().deviceViews()),
            e -> { });
    }

    void start() {
        loop.start();
    }

    /** Checks one instant: at most one Primary with quorum. */
    void sample(List<NodeFleet.DeviceView> views) {
        samples++;
        views.stream().filter(v -> "UpToDate".equals(v.disk())).forEach(v -> everUpToDate.add(v.instanceId()));
        List<String> primaries = views.stream().filter(v -> "Primary".equals(v.role()) && v.quorum())
            .map(NodeFleet.DeviceView::instanceId).sorted().toList();
        if (primaries.size() > 1 && reportedPrimaries.add(String.join(",", primaries))) {
            violations.accept(new Violation(Invariant.SINGLE_PRIMARY, clock.seconds(),
                primaries + " are Primary with quorum at the same instant"));
        }
    }

    /** The instances that were UpToDate in some sample. */
    Set<String> everUpToDate() {
        return Set.copyOf(everUpToDate);
    }

    int samples() {
        return samples;
    }

    @Override
    public void close() {
        loop.close();
    }
}
