package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.state.LifecyclePlan;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.model.LoggedAlarms;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/**
 * Members that stay unreachable are replaced: the registry remembers since when a run went on
 * without each one; once that is {@code evictAfter} ago, and the planner found that enough UpToDate
 * members stay without it, the member is marked Unhealthy with SetInstanceHealth and the group
 * terminates and replaces it ("Amazon EC2 Auto Scaling terminates and replaces the unhealthy
 * instance", SetInstanceHealth API reference). {@code evictAfter} zero: never.
 */
public final class Eviction {

    static final String UNHEALTHY = "Unhealthy";
    static final String HELD_MESSAGE = "Held back the eviction of an unreachable member";
    private static final StructuredLog LOG = StructuredLog.of(Eviction.class);

    private final AutoScalingClient autoScaling;
    private final MembershipRegistry registry;
    private final Duration evictAfter;
    private final Clock clock;

    public Eviction(AutoScalingClient autoScaling, MembershipRegistry registry, Duration evictAfter, Clock clock) {
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.evictAfter = Objects.requireNonNull(evictAfter, "evictAfter");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What one run did about unreachable members. */
    public record Outcome(List<String> evicted, List<String> held) {
    }

    /**
     * Records members newly unreachable, forgets those reachable again, and marks Unhealthy the
     * evictable ones unreachable for {@code evictAfter}.
     */
    public Outcome apply(List<Member> members, LifecyclePlan plan, String executionArn) {
        Instant now = clock.instant();
        Set<String> unreachable = Set.copyOf(plan.unreachable());
        List<String> evicted = new ArrayList<>();
        List<String> held = new ArrayList<>();
        for (Member member : members) {
            String id = member.instanceId();
            if (!unreachable.contains(id)) {
                if (member.unreachableSince() != null) {
                    registry.clearUnreachable(id);
                }
                continue;
            }
            if (member.unreachableSince() == null) {
                registry.markUnreachable(id, now);
                continue;
            }
            Instant due = Instant.parse(member.unreachableSince()).plus(evictAfter);
            if (evictAfter.isZero() || now.isBefore(due)) {
                continue;
            }
            if (!plan.evictable().contains(id)) {
                held.add(id);
                continue;
            }
            autoScaling.setInstanceHealth(b -> b.instanceId(id).healthStatus(UNHEALTHY).shouldRespectGracePeriod(false));
            evicted.add(id);
            LOG.warn("Marked an unreachable member Unhealthy: the group replaces it", "executionArn", executionArn,
                "instanceId", id, "unreachableSince", member.unreachableSince(), "evictAfterSeconds",
                evictAfter.toSeconds());
        }
        if (!held.isEmpty()) {
            LOG.error(HELD_MESSAGE, LoggedAlarms.FIELD, LoggedAlarms.EVICTION_HELD, "executionArn", executionArn,
                "instanceIds", held, "reason", plan.evictionHeld());
        }
        return new Outcome(evicted, held);
    }
}
