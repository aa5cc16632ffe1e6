package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.volumes.VolumeGrowth;
import dev.drbdmultiaz.model.Step;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the planner decided; {@link ReconcilePlanner#plan} writes it as the state's {@code $.plan}. */
public sealed interface Decision {

    /** Why, for the operator. */
    String reason();

    /**
     * Send the step's document to {@code targets} now.
     *
     * @param parameters the document's parameters by name
     */
    record RunOnNodes(Step step, String reason, List<String> targets, Map<String, String> parameters)
        implements Decision {

        public RunOnNodes {
            Objects.requireNonNull(step, "step");
            if (step.document().isEmpty()) {
                throw new IllegalArgumentException(step + " sends no document");
            }
            targets = List.copyOf(targets);
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    /** Wait {@code waitSeconds}, then observe {@code targets} again (WaitForConnections or WaitForResync). */
    record WaitThenObserve(Step step, String reason, int waitSeconds, List<String> targets,
        Map<String, String> parameters) implements Decision {

        public WaitThenObserve {
            if (step != Step.WaitForConnections && step != Step.WaitForResync) {
                throw new IllegalArgumentException(step + " is not a wait then observe");
            }
            targets = List.copyOf(targets);
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    /**
     * GrowDataVolumes: ask EC2 to grow {@code volumes} (none while the ones asked for earlier in
     * the run are still being modified), wait {@code waitSeconds}, then observe {@code targets}.
     */
    record GrowVolumes(String reason, List<VolumeGrowth> volumes, int waitSeconds, List<String> targets,
        Map<String, String> parameters) implements Decision {

        public GrowVolumes {
            volumes = List.copyOf(volumes);
            targets = List.copyOf(targets);
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    /**
     * CONTINUE the terminate actions of {@code departing} (members let go whose instances the group
     * still lists), then wait until the group no longer lists them (AwaitDeparture).
     */
    record ReleaseDeparting(String reason, List<String> departing) implements Decision {

        public ReleaseDeparting {
            departing = List.copyOf(departing);
        }
    }

    /** Nothing left to send; {@code lifecycle} says what CompleteLifecycleActions does. */
    record Converged(String reason, LifecyclePlan lifecycle) implements Decision {
    }
}
