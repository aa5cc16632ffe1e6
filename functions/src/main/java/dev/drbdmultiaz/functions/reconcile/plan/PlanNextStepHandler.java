package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.drbd.DrbdResourceSpec;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.state.Collected;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.model.ReconcileSetting;
import dev.drbdmultiaz.model.Step;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;

/**
 * PlanNextStep: state document → {@link ReconcilePlanner} → {@code $.plan}, with the heartbeat
 * flag of the {@link HeartbeatSchedule} (the planner itself has no clock) and the step's
 * {@link CommandTimeout}; after a failed node step, NodeStepFailed. No AWS call.
 */
public final class PlanNextStepHandler extends JsonHandler<ReconcileState, PlannedStep> {

    private static final StructuredLog LOG = StructuredLog.of(PlanNextStepHandler.class);

    private final DesiredSettings desired;
    private final HeartbeatSchedule heartbeats;

    public PlanNextStepHandler() {
        this(Config.from(Env.system()).desiredSettings(), HeartbeatSchedule.from(Env.system(), Clock.systemUTC()));
        Priming.register(); // no AWS client: the Jackson round trip only
    }

    public PlanNextStepHandler(DesiredSettings desired, HeartbeatSchedule heartbeats) {
        super(ReconcileState.class);
        this.desired = Objects.requireNonNull(desired, "desired");
        this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
    }

    @Override
    protected PlannedStep handle(ReconcileState state) {
        if (state.cluster() == null) {
            throw new InvalidStateDocumentException(
                "PlanNextStep needs $.cluster (the result of DescribeCluster), but the state has none");
        }
        Collected collected = state.collectedOrEmpty();
        if (Collected.FAILED.equals(collected.status())) {
            if (collected.failure() == null) {
                throw new InvalidStateDocumentException("$.collected says Failed but has no failure");
            }
            LOG.info("Planned stop after a failed node step", "executionArn", state.currentExecutionArn(),
                "step", collected.failure().step(), "instanceIds", collected.failure().instanceIds());
            return PlannedStep.nodeStepFailed(collected.failure().message(), desired.pollSeconds());
        }
        PlannedStep planned = ReconcilePlanner.plan(state.cluster(),
            new RunProgress(collected.observed(), collected.run(),
                state.agents() == null ? Set.of() : Set.copyOf(state.agents().unreachable()), state.volumeGrowth()),
            desired);
        PlannedStep step = planned.withHeartbeat(!Step.Converged.name().equals(planned.step())
            && heartbeats.due(state))
            .withCommandTimeout(CommandTimeout.seconds(Step.valueOf(planned.step()), desired.waitTimeScale()));
        LOG.info("Planned reconcile step", "executionArn", state.currentExecutionArn(),
            "step", step.step(), "reason", step.reason(), "targets", step.targets(),
            "mutating", step.mutating());
        return step;
    }

    /**
     * The one time-scale knob: {@code POLL_SECONDS} (default {@value DesiredSettings#POLL_SECONDS}) is
     * WaitForCommand's poll interval, and every other wait scales with it (POLL_SECONDS=1 makes the
     * connection backoff 1, 2, 4, 6 s in the rehearsal).
     */
    public static double waitTimeScale(Env env) {
        return env.settingInt(ReconcileSetting.POLL_SECONDS) / (double) DesiredSettings.POLL_SECONDS;
    }

    /**
     * Environment of the PlanNextStep function.
     *
     * @param desired the settings built from it
     */
    public record Config(DesiredSettings desired) {

        public DesiredSettings desiredSettings() {
            return desired;
        }

        /** Reads every variable; fails naming the first missing or invalid one. */
        public static Config from(Env env) {
            SsmDocuments documents = SsmDocuments.from(env);
            return new Config(new DesiredSettings(
                env.setting(ReconcileSetting.RESOURCE_NAME),
                env.settingInt(ReconcileSetting.DRBD_PORT),
                env.optionalInt("DRBD_MINOR", 0, 0, DrbdResourceSpec.MAX_MINOR),
                env.setting(ReconcileSetting.VOLUME_GROUP),
                env.setting(ReconcileSetting.THIN_POOL),
                env.setting(ReconcileSetting.LOGICAL_VOLUME),
                env.settingInt(ReconcileSetting.MAX_PEERS),
                env.require("SECRET_ARN"),
                env.optional("DRBD_VERIFY_ALG").orElse(DrbdResourceSpec.DEFAULT_VERIFY_ALG),
                env.optional("DRBD_CRAM_HMAC_ALG").orElse(DrbdResourceSpec.DEFAULT_CRAM_HMAC_ALG),
                documents,
                env.settingInt(ReconcileSetting.CONNECT_WAIT_MAX_ATTEMPTS),
                env.optionalInt("MAX_MUTATING_ROUNDS", 40, 1, 1000),
                waitTimeScale(env),
                env.settingInt(ReconcileSetting.MAX_RESYNC_HOURS),
                env.settingInt(ReconcileSetting.DATA_VOLUME_GIB)));
        }
    }
}
