package dev.drbdmultiaz.functions.reconcile.report;

import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.util.Objects;

/** ReportClusterStatus → {@code $.report} (the execution output). Reads no environment. */
public final class ReportClusterStatusHandler extends JsonHandler<ReconcileState, ClusterReport> {

    private final Clock clock;

    public ReportClusterStatusHandler() {
        this(Clock.systemUTC());
        Priming.register();
    }

    public ReportClusterStatusHandler(Clock clock) {
        super(ReconcileState.class);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    protected ClusterReport handle(ReconcileState state) {
        return ClusterReporter.report(state, clock.instant());
    }
}
