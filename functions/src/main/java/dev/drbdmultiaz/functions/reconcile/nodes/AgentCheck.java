package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.Backoff;
import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.lifecycle.HeartbeatSchedule;
import dev.drbdmultiaz.functions.reconcile.state.AgentsStatus;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DescribeInstanceInformationRequest;
import software.amazon.awssdk.services.ssm.model.DescribeInstanceInformationResponse;
import software.amazon.awssdk.services.ssm.model.InstanceInformation;
import software.amazon.awssdk.services.ssm.model.InstanceInformationStringFilter;
import software.amazon.awssdk.services.ssm.model.PingStatus;

/**
 * CheckAgentsOnline: whether every member's SSM agent is Online, with a bounded, backed-off wait.
 * A run goes on without offline members when the reachable ones are a majority of the members
 * (DRBD quorum): at once for members an earlier run already went on without (the registry's
 * {@code unreachableSince}), after the whole wait for members newly offline (a reboot comes back).
 */
public final class AgentCheck {

    private static final StructuredLog LOG = StructuredLog.of(AgentCheck.class);

    private final SsmClient ssm;
    private final int maxAttempts;
    private final double waitTimeScale;
    private final HeartbeatSchedule heartbeats;

    public AgentCheck(SsmClient ssm, int maxAttempts, double waitTimeScale) {
        this(ssm, maxAttempts, waitTimeScale, new HeartbeatSchedule(java.time.Duration.ofHours(1),
            java.time.Clock.systemUTC()));
    }

    public AgentCheck(SsmClient ssm, int maxAttempts, double waitTimeScale, HeartbeatSchedule heartbeats) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
        this.maxAttempts = maxAttempts;
        this.waitTimeScale = waitTimeScale;
        this.heartbeats = Objects.requireNonNull(heartbeats, "heartbeats");
    }

    public AgentsStatus check(ReconcileState state) {
        if (state.cluster() == null) {
            throw new InvalidStateDocumentException(
                "CheckAgentsOnline needs $.cluster (the result of DescribeCluster), but the state has none");
        }
        List<String> members = state.cluster().memberIds();
        Set<String> online = new HashSet<>();
        for (List<String> batch : Batches.of(members, Batches.SSM_MAX_INSTANCE_IDS)) {
            String nextToken = null;
            do {
                DescribeInstanceInformationResponse page = ssm.describeInstanceInformation(
                    DescribeInstanceInformationRequest.builder()
                        .filters(InstanceInformationStringFilter.builder().key("InstanceIds").values(batch).build())
                        .nextToken(nextToken)
                        .build());
                for (InstanceInformation info : page.instanceInformationList()) {
                    if (info.pingStatus() == PingStatus.ONLINE) {
                        online.add(info.instanceId());
                    }
                }
                nextToken = page.nextToken();
            } while (nextToken != null && !nextToken.isEmpty());
        }
        List<String> offline = new ArrayList<>(members);
        offline.removeAll(online);
        AgentsStatus previous = state.agents();
        int attempt = previous == null || previous.proceed() ? 1 : previous.attempt() + 1;
        boolean allOnline = offline.isEmpty();
        boolean majorityReachable = (members.size() - offline.size()) * 2 > members.size();
        boolean knownUnreachable = offline.stream().allMatch(id -> state.cluster().member(id)
            .map(m -> m.unreachableSince() != null).orElse(false));
        boolean lastAttempt = attempt >= maxAttempts;
        boolean proceed = allOnline || (majorityReachable && (knownUnreachable || lastAttempt));
        int waitSeconds = proceed ? 0 : Backoff.CHECKS.seconds(attempt, waitTimeScale);
        boolean exhausted = !proceed && lastAttempt;
        AgentsStatus result = new AgentsStatus(allOnline, exhausted, offline, attempt, waitSeconds,
            !proceed && !exhausted && heartbeats.due(state), proceed, proceed ? offline : List.of());
        LOG.info(allOnline ? "Found every SSM agent online"
                : proceed ? "Going on without unreachable members" : "Found SSM agents offline",
            "executionArn", state.currentExecutionArn(), "offline", offline, "attempt", attempt,
            "proceed", proceed, "exhausted", result.exhausted());
        return result;
    }
}
