package dev.drbdmultiaz.functions.reconcile.cluster;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.ClusterNotFoundException;
import dev.drbdmultiaz.functions.common.exceptions.LaunchesPendingException;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry.RegistryMember;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.DepartingMember;
import dev.drbdmultiaz.functions.reconcile.state.Member;
import dev.drbdmultiaz.functions.reconcile.state.NodeStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import dev.drbdmultiaz.functions.reconcile.state.Trigger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;

/**
 * DescribeCluster: the Auto Scaling group's live members with their stable node-ids (allocated
 * on first sight), and the registry members that are leaving or gone.
 */
public final class ClusterDescriber {

    static final String PENDING_WAIT = "Pending:Wait";
    static final String TERMINATING_WAIT = "Terminating:Wait";
    private static final StructuredLog LOG = StructuredLog.of(ClusterDescriber.class);

    private final AutoScalingClient autoScaling;
    private final MembershipRegistry registry;
    private final Clock clock;
    private final String groupName;

    public ClusterDescriber(AutoScalingClient autoScaling, MembershipRegistry registry, String groupName) {
        this(autoScaling, registry, groupName, Clock.systemUTC());
    }

    public ClusterDescriber(AutoScalingClient autoScaling, MembershipRegistry registry, String groupName, Clock clock) {
        this.autoScaling = Objects.requireNonNull(autoScaling, "autoScaling");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.groupName = Objects.requireNonNull(groupName, "groupName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Whether an instance in {@code lifecycleState} is leaving the group (not a member). */
    static boolean leaving(String lifecycleState) {
        return lifecycleState == null
            || lifecycleState.startsWith("Terminat")
            || lifecycleState.startsWith("Detach")
            || lifecycleState.startsWith("Warmed");
    }

    /**
     * A deploy's run describes the group only once it lists its desired capacity: CloudFormation
     * sets the capacity before it starts the deploy's reconcile, and when the group lists the new
     * instances is not documented (harsher reading: later), so a run that went on would converge
     * without them and {@code cdk deploy} would answer before they joined. Other runs go on: the
     * launch event of a new instance starts a run of its own.
     */
    private void requireDesiredCapacityListed(ReconcileState state, AutoScalingGroup group, List<Instance> instances) {
        if (state.trigger() == null || !Trigger.DEPLOY.equals(state.trigger().source())
            || group.desiredCapacity() == null) {
            return;
        }
        long listed = instances.stream().filter(i -> !leaving(i.lifecycleStateAsString())).count();
        if (listed < group.desiredCapacity()) {
            throw new LaunchesPendingException(String.format("The group %s lists %d of its desired %d instances:"
                + " the launches are not listed yet (if this lasts, EC2 cannot launch them: see the group's activity"
                + " history)", groupName, listed, group.desiredCapacity()));
        }
    }

    public ClusterSnapshot describe(ReconcileState state) {
        List<AutoScalingGroup> groups = autoScaling.describeAutoScalingGroups(
            builder -> builder.autoScalingGroupNames(groupName)).autoScalingGroups();
        if (groups.isEmpty()) {
            throw new ClusterNotFoundException("Auto Scaling group " + groupName
                + " does not exist; AUTO_SCALING_GROUP_NAME must name the cluster's group");
        }
        List<Instance> instances = groups.get(0).instances().stream()
            .sorted(Comparator.comparing(Instance::instanceId)).toList();
        requireDesiredCapacityListed(state, groups.get(0), instances);
        Map<String, Instance> byId = instances.stream()
            .collect(Collectors.toMap(Instance::instanceId, Function.identity()));
        Map<String, NodeStatus> observed = state.collectedOrEmpty().observed();

        MembershipRegistry.Contents contents = registry.read();
        Set<Integer> taken = new HashSet<>(contents.nodeIdOwners().keySet());
        List<Member> members = new ArrayList<>();
        for (Instance instance : instances) {
            String lifecycleState = instance.lifecycleStateAsString();
            if (leaving(lifecycleState)) {
                continue;
            }
            String id = instance.instanceId();
            RegistryMember known = contents.members().get(id);
            NodeStatus status = observed.get(id);
            String hostname = status != null && status.hostname() != null ? status.hostname()
                : known == null ? null : known.hostname();
            String address = status != null && status.address() != null ? status.address()
                : known == null ? null : known.address();
            int nodeId;
            if (known == null) {
                nodeId = contents.nodeIdClaimedBy(id)
                    .orElseGet(() -> registry.allocateNodeId(id, taken));
                registry.addMember(new RegistryMember(id, nodeId, MembershipRegistry.ACTIVE, hostname, address,
                    instance.availabilityZone()));
            } else {
                nodeId = known.nodeId();
                if (!MembershipRegistry.ACTIVE.equals(known.status())) {
                    registry.setStatus(id, MembershipRegistry.ACTIVE);
                }
                if (hostname != null && address != null
                    && (!hostname.equals(known.hostname()) || !address.equals(known.address()))) {
                    registry.recordEndpoint(id, hostname, address);
                }
            }
            members.add(new Member(id, instance.availabilityZone(), lifecycleState, nodeId, hostname, address,
                PENDING_WAIT.equals(lifecycleState) ? Member.LAUNCH : null,
                known == null ? null : known.unreachableSince()));
        }

        Set<String> live = members.stream().map(Member::instanceId).collect(Collectors.toSet());
        List<DepartingMember> departing = new ArrayList<>();
        for (RegistryMember known : contents.members().values()) {
            if (live.contains(known.instanceId())) {
                continue;
            }
            if (!MembershipRegistry.DEPARTING.equals(known.status())) {
                registry.setStatus(known.instanceId(), MembershipRegistry.DEPARTING);
            }
            Instance instance = byId.get(known.instanceId());
            String lifecycleState = instance == null ? null : instance.lifecycleStateAsString();
            departing.add(new DepartingMember(known.instanceId(), known.nodeId(), known.hostname(), known.address(),
                TERMINATING_WAIT.equals(lifecycleState) ? DepartingMember.TERMINATE : null,
                DepartingMember.listed(lifecycleState)));
        }

        int snapshot = (state.cluster() == null ? 0 : state.cluster().snapshot()) + 1;
        List<String> scaleInProtected = instances.stream()
            .filter(i -> live.contains(i.instanceId()) && Boolean.TRUE.equals(i.protectedFromScaleIn()))
            .map(Instance::instanceId).toList();
        String version = groups.get(0).launchTemplate() == null ? null : groups.get(0).launchTemplate().version();
        List<String> outdated = version == null ? List.of() : instances.stream()
            .filter(i -> live.contains(i.instanceId()))
            .filter(i -> i.launchTemplate() == null || !version.equals(i.launchTemplate().version()))
            .map(Instance::instanceId).toList();
        ClusterSnapshot result = new ClusterSnapshot(groupName, snapshot, members, departing,
            clock.instant().toString(), scaleInProtected, version, outdated);
        LOG.info("Described cluster", "executionArn", state.currentExecutionArn(), "groupName", groupName,
            "members", result.memberIds(),
            "departing", result.departing().stream().map(DepartingMember::instanceId).toList(),
            "snapshot", snapshot, "outdated", outdated);
        return result;
    }
}
