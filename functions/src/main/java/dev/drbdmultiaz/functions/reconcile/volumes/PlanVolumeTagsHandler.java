package dev.drbdmultiaz.functions.reconcile.volumes;

import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.model.DataVolume;
import java.util.List;
import java.util.Objects;

/**
 * PlanVolumeTags (after ScanDataVolumes, after each RecordLifecycleHeartbeats) → {@code $.volumeTags}
 * with only its tag list: a member's data volume gets its owner tags while attached, before anything
 * can make it leave. Deletions and kept volumes are decided at the end of a converged round
 * (PlanDataVolumes). Reads no environment and calls no AWS API.
 */
public final class PlanVolumeTagsHandler extends JsonHandler<PlanDataVolumesHandler.Request, DataVolumes> {

    private final DataVolumePlanner planner;

    public PlanVolumeTagsHandler() {
        this(new DataVolumePlanner(DataVolume.DEVICE_NAME));
        Priming.register();
    }

    public PlanVolumeTagsHandler(DataVolumePlanner planner) {
        super(PlanDataVolumesHandler.Request.class);
        this.planner = Objects.requireNonNull(planner, "planner");
    }

    @Override
    protected DataVolumes handle(PlanDataVolumesHandler.Request request) {
        DataVolumes plan = planner.plan(request.plannerInput("PlanVolumeTags"), request.scanTruncated());
        return new DataVolumes(plan.scanned(), plan.truncated(), plan.tag(), List.of(), List.of());
    }
}
