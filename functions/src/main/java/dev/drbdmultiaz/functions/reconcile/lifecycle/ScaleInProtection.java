package dev.drbdmultiaz.functions.reconcile.lifecycle;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/**
 * Scale-in protection follows the Primary: at each converged round the members the plan names
 * (DRBD Primary) are protected from scale-in, and every other instance of the group that is
 * protected loses it. So lowering {@code drbd:nodeCount} never makes the group pick the node the
 * application uses ("Instances that are protected from scale in are not terminated during scale in",
 * Amazon EC2 Auto Scaling, SetInstanceProtection).
 *
 * <p>A failure is reported, not thrown: the lifecycle actions are completed already, and the next
 * run sets the protection again.
 */
final class ScaleInProtection {

    /** SetInstanceProtection takes at most 50 instance ids. */
    static final int MAX_INSTANCES_PER_CALL = 50;
    private static final StructuredLog LOG = StructuredLog.of(ScaleInProtection.class);

    private final AutoScalingClient autoScaling;
    private final String groupName;

    ScaleInProtection(AutoScalingClient autoScaling, String groupName) {
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
        this.groupName = Objects.requireNonNull(groupName, "groupName");
    }

    /**
     * What was changed.
     *
     * @param protectedNow instances protected by this call (they were not)
     * @param unprotectedNow instances whose protection this call removed
     * @param error why setting it failed, or {@code null}
     */
    record Outcome(List<String> protectedNow, List<String> unprotectedNow, String error) {
    }

    /**
     * Protects {@code primaries} and unprotects every other protected member, as {@code cluster}
     * (the run's last DescribeCluster) shows the protection. Departing instances are left alone.
     */
    Outcome apply(ClusterSnapshot cluster, List<String> primaries, String executionArn) {
        Set<String> wanted = Set.copyOf(primaries);
        Set<String> live = Set.copyOf(cluster.memberIds());
        List<String> protect = primaries.stream()
            .filter(id -> live.contains(id) && !cluster.scaleInProtected().contains(id)).toList();
        List<String> unprotect = cluster.scaleInProtected().stream()
            .filter(id -> live.contains(id) && !wanted.contains(id)).toList();
        try {
            set(protect, true);
            set(unprotect, false);
        } catch (SdkException e) {
            LOG.warn("Could not move scale-in protection to the Primary", "executionArn", executionArn,
                "protect", protect, "unprotect", unprotect, "error", e.getMessage());
            return new Outcome(List.of(), List.of(), "SetInstanceProtection failed: " + e.getMessage());
        }
        if (!protect.isEmpty() || !unprotect.isEmpty()) {
            LOG.info("Moved scale-in protection to the Primary", "executionArn", executionArn,
                "protected", protect, "unprotected", unprotect);
        }
        return new Outcome(protect, unprotect, null);
    }

    private void set(List<String> instanceIds, boolean protectedFromScaleIn) {
        for (int from = 0; from < instanceIds.size(); from += MAX_INSTANCES_PER_CALL) {
            List<String> batch = instanceIds.subList(from, Math.min(instanceIds.size(), from + MAX_INSTANCES_PER_CALL));
            autoScaling.setInstanceProtection(b -> b.autoScalingGroupName(groupName).instanceIds(batch)
                .protectedFromScaleIn(protectedFromScaleIn));
        }
    }
}
