package dev.drbdmultiaz.functions.reconcile.volumes;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.reconcile.lifecycle.LifecycleActions;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.model.DataVolume;
import dev.drbdmultiaz.model.LoggedAlarms;
import java.util.List;
import java.util.Objects;

/**
 * PlanDataVolumes (after DescribeDataVolumes) → {@code $.volumes}. Reads no environment and calls
 * no AWS API: Step Functions' EC2 integrations scan, tag and delete.
 */
public final class PlanDataVolumesHandler extends JsonHandler<PlanDataVolumesHandler.Request, DataVolumes> {

    static final String KEPT_MESSAGE = "Kept detached data volumes that may hold data";
    private static final StructuredLog LOG = StructuredLog.of(PlanDataVolumesHandler.class);

    private final DataVolumePlanner planner;

    public PlanDataVolumesHandler() {
        this(new DataVolumePlanner(DataVolume.DEVICE_NAME));
        Priming.register();
    }

    public PlanDataVolumesHandler(DataVolumePlanner planner) {
        super(Request.class);
        this.planner = Objects.requireNonNull(planner, "planner");
    }

    /**
     * The parts of the state document the planner reads.
     *
     * @param executionArn this execution
     * @param cluster result of DescribeCluster
     * @param collected the last observations
     * @param lifecycle result of CompleteLifecycleActions (who was released)
     * @param dataVolumeScan result of DescribeDataVolumes
     */
    public record Request(String executionArn, ClusterSnapshot cluster, Collected collected,
        LifecycleActions.ActionsResult lifecycle, Scan dataVolumeScan) {

        /**
         * What the planner sees, or InvalidStateDocumentException naming what is missing.
         *
         * @param state the state that asks (for the message)
         */
        DataVolumePlanner.Input plannerInput(String state) {
            if (cluster == null || dataVolumeScan == null) {
                throw new InvalidStateDocumentException(state + " needs $.cluster (DescribeCluster) and"
                    + " $.dataVolumeScan (a DescribeVolumes scan); missing: " + (cluster == null ? "cluster " : "")
                    + (dataVolumeScan == null ? "dataVolumeScan" : ""));
            }
            return new DataVolumePlanner.Input(dataVolumeScan.volumes(), cluster.members(), cluster.departing(),
                lifecycle == null ? List.of() : lifecycle.released(), collected == null ? null : collected.observed());
        }

        /** Whether the scan was one page of more. */
        boolean scanTruncated() {
            return dataVolumeScan.nextToken() != null;
        }
    }

    /**
     * The DescribeVolumes answer.
     *
     * @param volumes one page of volumes
     * @param nextToken set when more volumes carry the cluster tag than one page holds
     */
    public record Scan(@JsonProperty("Volumes") List<ScannedVolume> volumes, @JsonProperty("NextToken") String nextToken) {
    }

    @Override
    protected DataVolumes handle(Request request) {
        DataVolumes plan = planner.plan(request.plannerInput("PlanDataVolumes"), request.scanTruncated());
        if (!plan.kept().isEmpty()) {
            LOG.error(KEPT_MESSAGE, LoggedAlarms.FIELD, LoggedAlarms.DATA_VOLUMES_KEPT, "executionArn",
                request.executionArn(), "kept", plan.kept());
        }
        return plan;
    }
}
