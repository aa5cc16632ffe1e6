package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.RehearsalRun;
import dev.drbdmultiaz.rehearsal.Scenario;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One chaos sequence as a scenario: builds a fresh cluster, starts the application and the
 * invariant monitor, injects the plan's faults at their moments (healing each lasting one after its
 * hold), waits for the cluster to converge within {@link #CONVERGENCE_BOUND}, and checks every
 * {@link Invariant}. A named reproducer of a found defect is a sequence with a fixed plan.
 */
public final class ChaosSequence implements Scenario {

    /** After the last fault is healed the cluster converges within this much AWS time (compressed)... */
    public static final Duration CONVERGENCE_BOUND = Duration.ofMinutes(30);
    /** ...plus this much real time, the rehearsal's own latency (a reconcile takes about a real minute here). */
    public static final Duration REHEARSAL_LATENCY = Duration.ofMinutes(5);
    /**
     * The smallest time scale a chaos sequence runs at: lifecycle hooks of 48 real seconds (40 AWS
     * minutes), which a run must heartbeat while faults slow it.
     */
    public static final double MINIMUM_TIME_SCALE = 0.02;
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration WRITE_PAUSE = Duration.ofMillis(300);
    private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(400);

    private final String name;
    private final String expectation;
    private final FaultPlan plan;
    private final OptionalInt firstWriter;
    private final List<Violation> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> injected = Collections.synchronizedList(new ArrayList<>());
    private volatile int skipped;
    private volatile int acknowledgedWrites;
    private volatile int failedWrites;

    public ChaosSequence(String name, String expectation, FaultPlan plan) {
        this(name, expectation, plan, OptionalInt.empty());
    }

    /**
     * A sequence whose application writes first on the member at {@code firstWriter} (launch order,
     * as a {@link PlannedFault} names members), not on one drawn from the seed: a reproducer whose
     * fault must hit the writer.
     */
    public ChaosSequence(String name, String expectation, FaultPlan plan, int firstWriter) {
        this(name, expectation, plan, OptionalInt.of(firstWriter));
    }

    private ChaosSequence(String name, String expectation, FaultPlan plan, OptionalInt firstWriter) {
        this.name = name;
        this.expectation = expectation;
        this.plan = plan;
        this.firstWriter = firstWriter;
    }

    /** The sequence a chaos run draws from a seed. */
    public static ChaosSequence of(FaultPlan plan) {
        return new ChaosSequence("chaos-seed-" + plan.seed(), "every invariant holds under " + plan.faults().size()
            + " faults drawn from seed " + plan.seed(), plan);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String expectation() {
        return expectation;
    }

    @Override
    public double minimumTimeScale() {
        return MINIMUM_TIME_SCALE;
    }

    public FaultPlan plan() {
        return plan;
    }

    /** What broke, in order of detection (empty: every invariant held). */
    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    /** One line per fault: what it did, or why it was skipped. */
    public List<String> injected() {
        return List.copyOf(injected);
    }

    /** How many faults found nothing to hit or were held back by the terminate guard. */
    public int skipped() {
        return skipped;
    }

    public int acknowledgedWrites() {
        return acknowledgedWrites;
    }

    public int failedWrites() {
        return failedWrites;
    }

    @Override
    public void act(RehearsalRun run) {
        run.phase("build");
        run.launchGroup(run.nodes(), null);
        try {
            run.awaitExecutions(BUILD_TIMEOUT);
        } catch (IllegalStateException e) {
            violations.add(new Violation(Invariant.CONVERGES, 0, "the brand-new cluster was not built: " + e.getMessage()));
            return;
        }
        List<String> unbuilt = new ChaosCluster(run).awaitConverged(run.nodes(), BUILD_TIMEOUT);
        if (!unbuilt.isEmpty()) {
            violations.add(new Violation(Invariant.CONVERGES, 0, "the brand-new cluster did not converge: " + unbuilt));
            return;
        }
        int skipsAfterBuild = syncSkips(run);
        run.log("chaos plan " + plan);
        ChaosCluster cluster = new ChaosCluster(run);
        ChaosClock clock = new ChaosClock();
        Faults faults = new Faults(cluster, run.time().scaled(Duration.ofMinutes(20)).plus(Duration.ofMinutes(1)));
        run.startSchedule();
        run.phase("chaos");
        ScheduledExecutorService heals = Executors.newSingleThreadScheduledExecutor();
        try (InvariantMonitor monitor = new InvariantMonitor(cluster, SAMPLE_INTERVAL, clock, violations::add);
             Application application = new Application(cluster, run.nodes(), plan.seed(), firstWriter, WRITE_PAUSE,
                 clock, violations::add)) {
            monitor.start();
            application.start();
            for (int i = 0; i < plan.faults().size(); i++) {
                PlannedFault fault = plan.faults().get(i);
                Net.sleep(run.time().scaled(fault.after()).toMillis());
                Faults.Injected done = faults.inject(fault);
                String line = String.format(Locale.ROOT, "fault %d at %.1f s: %s -> %s", i + 1,
                    clock.seconds(), fault.kind().label(), done.what());
                injected.add(line);
                if (done.skipped()) {
                    skipped++;
                }
                run.log(line);
                if (fault.kind().lasts()) {
                    int number = i + 1;
                    heals.schedule(() -> {
                        done.heal().run();
                        run.log(String.format(Locale.ROOT, "healed fault %d at %.1f s", number, clock.seconds()));
                    }, run.time().scaled(fault.hold()).toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            heals.shutdown();
            awaitHeals(heals);
            run.phase("heal");
            Duration bound = run.time().scaled(CONVERGENCE_BOUND).plus(REHEARSAL_LATENCY);
            List<String> why = cluster.awaitConverged(run.nodes(), bound);
            if (!why.isEmpty()) {
                violations.add(new Violation(Invariant.CONVERGES, clock.seconds(), "not converged "
                    + bound.toSeconds() + " s after the last fault healed: " + why));
            }
            run.stopSchedule();
            try {
                run.awaitExecutions(BUILD_TIMEOUT);
            } catch (IllegalStateException e) {
                violations.add(new Violation(Invariant.CONVERGES, clock.seconds(), e.getMessage()));
            }
            application.close();
            monitor.close();
            acknowledgedWrites = application.writes().acknowledged();
            failedWrites = application.writes().failed();
            run.note("application", acknowledgedWrites + " writes acknowledged, " + failedWrites + " failed; wrote on "
                + application.moves());
            checkWrites(cluster, application.writes(), clock);
            checkLifecycle(run, monitor.everUpToDate(), clock);
            checkMetadata(run, skipsAfterBuild, clock);
        } finally {
            heals.shutdownNow();
        }
    }

    private static void awaitHeals(ScheduledExecutorService heals) {
        try {
            if (!heals.awaitTermination(1, TimeUnit.HOURS)) {
                throw new IllegalStateException("the faults' heals did not run within an hour");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the faults' heals", e);
        }
    }

    private void checkWrites(ChaosCluster cluster, AcknowledgedWrites writes, ChaosClock clock) {
        for (NodeFleet.DeviceView device : cluster.memberDevices()) {
            List<Integer> lost = writes.missingOn(device.blocks());
            if ("UpToDate".equals(device.disk()) && !lost.isEmpty()) {
                violations.add(new Violation(Invariant.NO_LOST_WRITE, clock.seconds(), device.instanceId()
                    + " is UpToDate but does not hold the acknowledged content of blocks " + lost + " (holds "
                    + lost.stream().limit(3).map(b -> b + "=" + device.blocks().get(b)).toList() + ")"));
            }
        }
        if (writes.acknowledged() == 0) {
            violations.add(new Violation(Invariant.NO_LOST_WRITE, clock.seconds(),
                "the application got no write acknowledged, so nothing could be checked"));
        }
    }

    private void checkLifecycle(RehearsalRun run, Set<String> everUpToDate, ChaosClock clock) {
        for (LifecycleModel.Completion c : run.completions()) {
            if (c.cause() != LifecycleModel.Cause.COMPLETED) {
                violations.add(new Violation(Invariant.LIFECYCLE, clock.seconds(), c.transition() + " action of "
                    + c.instanceId() + " expired (" + c.cause() + ", " + c.result() + ")"));
            } else if ("launch".equals(c.transition()) && LifecycleModel.ABANDON.equals(c.result())
                && everUpToDate.contains(c.instanceId())) {
                violations.add(new Violation(Invariant.LIFECYCLE, clock.seconds(), "launch of " + c.instanceId()
                    + " ABANDONed although it had been UpToDate"));
            }
        }
    }

    private void checkMetadata(RehearsalRun run, int skipsAfterBuild, ChaosClock clock) {
        for (NodeSnapshot s : run.snapshots().values()) {
            if (s.createMdOverMetadataCount() > 0) {
                violations.add(new Violation(Invariant.METADATA, clock.seconds(), "create-md ran "
                    + s.createMdOverMetadataCount() + " time(s) over existing metadata on " + s.instanceId()));
            }
        }
        int skips = syncSkips(run);
        if (skips != skipsAfterBuild) {
            violations.add(new Violation(Invariant.SYNC_SKIP, clock.seconds(), "skip-initial-sync ran "
                + (skips - skipsAfterBuild) + " more time(s) after the brand-new cluster was built"));
        }
    }

    private static int syncSkips(RehearsalRun run) {
        return run.snapshots().values().stream().mapToInt(NodeSnapshot::syncSkipCount).sum();
    }

    @Override
    public List<String> check(RehearsalRun run) {
        return violations().stream().map(Violation::toString).toList();
    }
}
