package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.RegistryKeys;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.lambda.FunctionSpec;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.nodes.SimulatedNode;
import dev.drbdmultiaz.rehearsal.nodes.SsmEvents;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import dev.drbdmultiaz.rehearsal.support.Net;
import dev.drbdmultiaz.rehearsal.timeline.Timeline;
import dev.drbdmultiaz.rehearsal.timeline.TimelineReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * One rehearsal, as a {@link Scenario} drives it: what AWS and the world would do to the deployed
 * stack (the group launches, terminates, loses capacity; a node reboots, loses its agent or its
 * port; EventBridge delivers events; CloudFormation deploys), what the scenario waits for, and
 * read-only views of what happened, for its checks. The emulated account behind it is an
 * {@link EmulatedAccount}.
 */
public final class RehearsalRun implements AutoCloseable {

    private final EmulatedAccount account;
    private final AwsEvents events;
    private final GroupDriver group;
    private final CloudFormationDeploy deploy;
    private final ReportBuilder reports;
    private final List<ReportBuilder.PhaseMark> phases = new ArrayList<>();
    private final Map<String, String> notes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> roles = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<GroupDriver.RefreshOutcome> refreshes = Collections.synchronizedList(new ArrayList<>());
    /** The stack as last deployed (a failed deploy's rollback returns the launch template to it). */
    private StackView deployedView;
    /** The replicas' LaunchTemplateData as last deployed, resolved (a deploy that changes it makes a new version). */
    private JsonNode launchTemplateData;
    /** The launch template's newest version (LatestVersionNumber): the one the group gets when its version changes. */
    private String latestLaunchTemplateVersion;
    /** {@link StackView#groupVersionTrigger()} as last deployed (a deploy that changes it changes the group's version). */
    private JsonNode groupVersionTrigger;

    private RehearsalRun(EmulatedAccount account, Instant started) {
        this.account = account;
        this.events = new AwsEvents(account);
        this.group = new GroupDriver(account, events);
        account.closeFirst(group);
        this.deploy = new CloudFormationDeploy(account);
        this.reports = new ReportBuilder(account, started);
        this.deployedView = account.view();
        this.launchTemplateData = deployedView.resolvedReplicaLaunchTemplateData();
        this.latestLaunchTemplateVersion = account.lifecycle().launchTemplateVersion();
        this.groupVersionTrigger = deployedView.groupVersionTrigger();
    }

    /** Starts the emulated account, the nodes' side and the Lambda service. */
    static RehearsalRun start(RehearsalOptions options, Progress progress) {
        Instant started = Instant.now();
        EmulatedAccount account = EmulatedAccount.start(options, progress);
        try {
            return new RehearsalRun(account, started);
        } catch (RuntimeException | Error e) {
            account.close();
            throw e;
        }
    }

    // --- the run's settings and the deployed stack

    /** The cluster size this run was asked for ({@code --nodes}). */
    public int nodes() {
        return account.options().nodes();
    }

    /** The run's compressed time: an AWS duration as the rehearsal waits it. */
    public CompressedTime time() {
        return account.time();
    }

    /** The deployed stack's names and settings (DRBD port, bounds, hook timeouts). */
    public StackView stack() {
        return account.view();
    }

    // --- what the group and the world do

    /**
     * Creates the Auto Scaling group with {@code nodes} instances (its hooks exist from the start,
     * as LifecycleHookSpecificationList makes them) and adds their nodes to the fleet; each launch
     * action's EventBridge event reaches TriggerReconcile as the instance enters Pending:Wait.
     *
     * @param faults the faults of the node of each launch, counted from 0 over the group's life
     *     (replacements included); {@code null} for none
     * @return the new instance ids, in launch order
     */
    public List<String> launchGroup(int nodes, IntFunction<NodeFaults> faults) {
        return group.createGroup(nodes, faults);
    }

    /**
     * The group terminates {@code instanceId} (as after a failed health check): it waits in
     * Terminating:Wait for its terminate action, and the group launches a replacement when it has
     * capacity (see {@link #setCapacityAvailable}).
     *
     * @return the replacement's instance id, or {@code null} when the group could not launch one
     */
    public String terminate(String instanceId) {
        return group.terminateInstance(instanceId);
    }

    /**
     * The instance fails (its host is impaired): the node stops at once (DRBD, the SSM agent and every
     * command there end with it), and the group, after the failed EC2 status check, terminates it
     * through its terminate hook; its data volume stays, as DeleteOnTermination is off.
     *
     * @return the replacement's instance id, or {@code null} when the group could not launch one
     */
    public String crash(String instanceId) {
        account.fleet().terminate(instanceId);
        account.progress().note("instance " + instanceId + " failed: its node stopped");
        return group.terminateInstance(instanceId);
    }

    /** Reboots a node; its DRBD resource stays down (the boot units do not bring it up). */
    public void reboot(String instanceId) {
        account.fleet().reboot(instanceId, false);
        account.progress().note("instance " + instanceId + " rebooted: DRBD resource down, metadata kept");
    }

    /**
     * Whether EC2 has capacity for the group's launches (InsufficientInstanceCapacity otherwise).
     * Without it a terminated instance is not replaced; when capacity returns, the group launches
     * up to its desired capacity again.
     */
    public void setCapacityAvailable(boolean available) {
        group.setCapacityAvailable(available);
    }

    /** Which lifecycle events EventBridge does not deliver (instance id, {@code launch|terminate}); default none. */
    public void loseLifecycleEvents(BiPredicate<String, String> lost) {
        group.loseLifecycleEvents(lost);
    }

    // --- faults on the nodes' side (faults of a launch: see launchGroup)

    /** The SSM agent of {@code instanceId} goes offline (DRBD keeps running there) or comes back. */
    public void setAgentOnline(String instanceId, boolean online) {
        account.fleet().setAgentOnline(instanceId, online);
    }

    /** The stack's DRBD port is blocked between the nodes, or open again. */
    public void setDrbdPortBlocked(boolean blocked) {
        account.fleet().setPortBlocked(stack().drbdPort(), blocked);
    }

    /** The next run of {@code document} on {@code instanceId} exits {@code exitCode} with {@code stderr}. */
    public void failNext(String instanceId, NodeDocument document, int exitCode, String stderr) {
        account.ssm().failNext(instanceId, document.baseName(), exitCode, stderr);
    }

    /** SSM delivers a command late with {@code probability}, by {@code delay} (AWS time); seeded. */
    public void setDeliveryDelays(long seed, double probability, Duration delay) {
        account.ssm().setDeliveryDelays(seed, probability, delay);
    }

    /**
     * SSM's EventBridge events (Run Command's "EC2 Command Status-change Notification" and "EC2
     * Command Invocation Status-change Notification"), delivered to the stack's rules late and from
     * their own thread: the knobs lose them (all, one in N, one command's), deliver them twice or
     * later ({@link SsmEvents}).
     */
    public SsmEvents ssmEvents() {
        return account.ssm().events();
    }

    /** The application on {@code instanceId} writes the first {@code percent} of the DRBD device. */
    public NodeFleet.WriteResult write(String instanceId, double percent) {
        return account.fleet().write(instanceId, percent);
    }

    /** DRBD traffic between two members is dropped (a partition between them), or flows again. */
    public void setLinkBlocked(String instanceA, String instanceB, boolean blocked) {
        account.fleet().setLinkBlocked(instanceA, instanceB, blocked);
    }

    /** The AWS APIs a fault can throttle. */
    public enum ThrottledApi { AUTO_SCALING, SSM }

    /**
     * Every call of {@code api} from the functions answers its throttling error (as AWS does past
     * the account's rate), or none does: Auto Scaling {@code Throttling}, SSM
     * {@code ThrottlingException}, HTTP 400, "Rate exceeded"; the SDK's own retries see it.
     */
    public void setApiThrottled(ThrottledApi api, boolean throttled) {
        switch (api) {
            case AUTO_SCALING -> account.autoScalingFront().setThrottled(throttled);
            case SSM -> account.ssm().setThrottled(throttled);
        }
        log(api + " API " + (throttled ? "throttled: every call answers its throttling error" : "no longer throttled"));
    }

    /**
     * The next invocation of the function (its workflow handler's id, e.g. DescribeCluster) fails
     * as a handler exception does in Lambda (Unhandled, errorType java.lang.RuntimeException)
     * without running the handler; once per call.
     */
    public void failNextInvocation(String function) {
        account.lambda().failNextInvocation(stack().functionName(function));
        log("the next invocation of " + function + " fails with an unhandled exception");
    }

    /**
     * StopExecution on {@code execution}: it ends ABORTED at once, no further state and no Catch
     * runs (a lock it holds stays held); whether it was still running.
     */
    public boolean stopExecution(Execution execution) {
        boolean running = account.stepFunctions().stop(execution.arn());
        log("StopExecution " + execution.name() + ": " + (running ? "ABORTED" : "had already ended " + execution.status()));
        return running;
    }

    /** Which lifecycle events EventBridge delivers twice (instance id, {@code launch|terminate}); default none. */
    public void duplicateLifecycleEvents(BiPredicate<String, String> duplicated) {
        group.duplicateLifecycleEvents(duplicated);
    }

    /**
     * The next run of {@code document} on {@code instanceId} hangs until the document's
     * timeoutSeconds (real seconds, not compressed: 300 s for drbd-up), then ends TimedOut /
     * Execution Timed Out, ResponseCode 137.
     */
    public void timeOutNext(String instanceId, NodeDocument document) {
        account.ssm().timeOutNext(instanceId, document.baseName());
    }

    /** The application on {@code instanceId} writes blocks {@code first .. first+count-1}, keeping the device open. */
    public NodeFleet.AppWrite appWrite(String instanceId, int first, int count) {
        return account.fleet().appWrite(instanceId, first, count);
    }

    /** The application closes the device on {@code instanceId}. */
    public void appClose(String instanceId) {
        account.fleet().appClose(instanceId);
    }

    /** Every live node's device, at one instant. */
    public List<NodeFleet.DeviceView> deviceViews() {
        return account.fleet().deviceViews();
    }

    // --- events and deploys

    /** The custom re-adjust event ({@code drbd-multiaz} / {@code Reconcile Requested}) of this cluster. */
    public Execution publishReadjust() {
        return events.publishReadjust();
    }

    /** An EventBridge lifecycle event of the group ({@code launch|terminate}, Auto Scaling's own shape). */
    public Execution publishLifecycleEvent(String transition, String instanceId) {
        return events.publishLifecycleEvent(transition, instanceId);
    }

    /** Runs the template's schedule rules as EventBridge does (every rate, compressed), until stopped. */
    public void startSchedule() {
        group.startSchedule();
    }

    /** Stops the schedule rules (a scenario's last runs are then all it waits for). */
    public void stopSchedule() {
        group.stopSchedule();
    }

    /**
     * CloudFormation creates the deploy trigger (Custom::DrbdReconcile) as {@code cdk deploy} does
     * once the group exists and the functions' SnapStart versions are published (the trigger
     * depends on their aliases): sends Create to its ServiceToken and waits for the response (at
     * most its ServiceTimeout, compressed).
     */
    public CustomResources.Outcome createDeployResource() {
        return deploy.create();
    }

    /** A deploy that changed a setting: CloudFormation updates the trigger with a new ConfigHash. */
    public CustomResources.Outcome updateDeployResource(String configHash) {
        return deploy.update(configHash);
    }

    /**
     * {@code cdk deploy} with changed settings ({@code drbd:nodeCount}, {@code drbd:instanceType}, ...):
     * the stack is synthesized anew; CloudFormation updates the group first (the deploy trigger
     * depends on it), then the deploy trigger with the new ConfigHash, and waits for its answer.
     * A changed launch template is a new version of it. The group launches from that newest
     * version only when its LaunchTemplate Version changes, as the template decides
     * ({@link StackView#groupVersionTrigger}: with the version custom resource, any change but the
     * data volume's size); then the group's AutoScalingInstanceRefresh update policy replaces the
     * members before CloudFormation goes on ({@link GroupDriver#refreshInstances}). Otherwise the
     * group keeps its version: members it launches later get that version's data volume size, the
     * one before the deploy (moto launches from the template's default version, which stays the
     * group's). A refresh that fails fails the deploy, and the rollback
     * sets the group back to the version before (the rollback's own refresh is not modelled). A
     * change of the functions' environment (e.g. MAX_PEERS, which follows drbd:nodeCount, or
     * DATA_VOLUME_GIB) reaches them after the group's update, before the deploy's reconcile: the
     * executions the group's update started run the functions of the previous deploy.
     */
    public CustomResources.Outcome deploy(Map<String, Object> settings) {
        StackView updated = account.synthesize(settings);
        Map<String, Map<String, String>> before = FunctionSpec.of(account.view().deployed()).stream()
            .collect(Collectors.toMap(FunctionSpec::name, FunctionSpec::environment));
        List<FunctionSpec> reconfigured = FunctionSpec.of(updated.deployed()).stream()
            .filter(f -> !f.environment().equals(before.get(f.name()))).toList();
        java.util.Set<String> changed = new java.util.TreeSet<>();
        for (FunctionSpec function : reconfigured) {
            Map<String, String> old = before.getOrDefault(function.name(), Map.of());
            function.environment().forEach((name, value) -> {
                if (!value.equals(old.get(name))) {
                    changed.add(name + "=" + value);
                }
            });
        }
        // CloudFormation updates the launch template (a new version, not the default one: nothing
        // launches from it unless the group's version changes), then the version resource, then the group.
        JsonNode data = updated.resolvedReplicaLaunchTemplateData();
        if (!data.equals(launchTemplateData)) {
            latestLaunchTemplateVersion = account.createLaunchTemplateVersion(updated);
            launchTemplateData = data;
        }
        JsonNode trigger = updated.groupVersionTrigger();
        String previous = account.lifecycle().launchTemplateVersion();
        if (!trigger.equals(groupVersionTrigger) && !latestLaunchTemplateVersion.equals(previous)) {
            GroupDriver.RefreshOutcome refresh = group.refreshInstances(latestLaunchTemplateVersion,
                updated.refreshPreferences());
            refreshes.add(refresh);
            if (!refresh.succeeded()) {
                // The rollback updates the launch template back: one more version, with the data before.
                JsonNode rolledBack = deployedView.resolvedReplicaLaunchTemplateData();
                if (!rolledBack.equals(launchTemplateData)) {
                    latestLaunchTemplateVersion = account.createLaunchTemplateVersion(deployedView);
                    launchTemplateData = rolledBack;
                }
                account.useLaunchTemplateVersion(previous);
                return new CustomResources.Outcome("Update", "FAILED", "Group update failed: instance refresh "
                    + refresh.status() + ": " + refresh.reason(), null, Map.of(), java.time.Duration.ZERO, null);
            }
        } else if (!latestLaunchTemplateVersion.equals(previous)) {
            log("deploy " + settings + ": launch template version " + latestLaunchTemplateVersion
                + "; the group keeps version " + previous + " (no instance refresh)");
        }
        groupVersionTrigger = trigger;
        deployedView = updated;
        group.updateCapacity(updated.desiredCapacity());
        // The harsher order: the functions get their new environment only after the group's update
        // (CloudFormation orders neither before the other; the deploy's reconcile depends on both).
        if (!changed.isEmpty()) {
            reconfigured.forEach(account.lambda()::updateConfiguration);
            log("deploy " + settings + ": the functions' new environment " + changed);
        }
        return deploy.update(updated.deployResourceProperties().path("ConfigHash").asText());
    }

    /** Every instance refresh a deploy ran, in order, with the instances each replaced. */
    public List<String> refreshes() {
        return refreshes.stream().map(r -> r.status() + (r.reason() == null ? "" : " (" + r.reason() + ")") + " replaced "
            + r.replaced()).toList();
    }

    /** The EC2 instance type of {@code instanceId}, as EC2 describes it. */
    public String instanceType(String instanceId) {
        return account.ec2().describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0)
            .instanceTypeAsString();
    }

    /** The group's instances that are not leaving (Pending or InService), as the Auto Scaling API lists them. */
    public List<String> members() {
        return groupInstances().stream()
            .filter(i -> lifecycleState(i.instanceId()).map(l -> l.state() == LifecycleModel.State.IN_SERVICE
                || l.state() == LifecycleModel.State.PENDING_WAIT).orElse(false))
            .map(software.amazon.awssdk.services.autoscaling.model.Instance::instanceId).sorted().toList();
    }

    /** Instance id -> node-id of every member item of the registry (items {@code member#<instance-id>}). */
    public Map<String, Integer> registryNodeIds() {
        Map<String, Integer> nodeIds = new TreeMap<>();
        account.dynamoDb().scan(b -> b.tableName(account.view().tableName()).consistentRead(true)).items()
            .forEach(item -> {
                AttributeValue key = item.get(RegistryKeys.PARTITION_KEY);
                if (key != null && key.s().startsWith(RegistryKeys.MEMBER_PREFIX) && item.containsKey("nodeId")) {
                    nodeIds.put(key.s().substring(RegistryKeys.MEMBER_PREFIX.length()),
                        Integer.parseInt(item.get("nodeId").n()));
                }
            });
        return nodeIds;
    }

    /** The group's instances protected from scale-in, as the Auto Scaling API lists them. */
    public List<String> scaleInProtected() {
        return groupInstances().stream()
            .filter(i -> Boolean.TRUE.equals(i.protectedFromScaleIn()))
            .map(software.amazon.awssdk.services.autoscaling.model.Instance::instanceId).sorted().toList();
    }

    /** The group's instances as moto lists them (the driver's view, not the Lambdas'). */
    private List<software.amazon.awssdk.services.autoscaling.model.Instance> groupInstances() {
        return account.autoScaling().describeAutoScalingGroups(b -> b.autoScalingGroupNames(
                account.view().groupName())).autoScalingGroups().stream()
            .flatMap(g -> g.instances().stream()).toList();
    }

    /** {@code cdk destroy}: CloudFormation deletes the trigger. */
    public CustomResources.Outcome deleteDeployResource() {
        return deploy.delete();
    }

    /**
     * {@code cdk destroy} deletes the group after the deploy trigger: modelled as a ForceDelete,
     * which does not wait for the instances (Auto Scaling API reference, DeleteAutoScalingGroup):
     * the group and its lifecycle actions are gone at once, the instances shut down for
     * {@link LifecycleModel#SHUTDOWN} (scaled) and only then terminate and detach their data volumes.
     * The schedule stops (its rule goes with the stack).
     *
     * @return the instances the group had
     */
    public List<String> deleteGroup() {
        return group.forceDeleteGroup();
    }

    /**
     * CloudFormation deletes the data-volume removal resource (after the group, which depends on
     * it; only with drbd:removalPolicy destroy), and waits for the answer; called again, it is a
     * retried stack deletion.
     */
    public CustomResources.Outcome deleteRemovalResource() {
        return deploy.deleteRemoval();
    }

    /** What the data-volume removal resource answered CloudFormation so far. */
    public List<CustomResources.Outcome> removalOutcomes() {
        return deploy.removalOutcomes();
    }

    // --- waiting

    /** Waits until no event is being delivered and no execution runs any more. */
    public void awaitExecutions(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int quiet = 0;
        while (quiet < 3) {
            List<Execution> running = account.stepFunctions().running();
            if (running.isEmpty()) {
                quiet = group.inFlight() == 0 ? quiet + 1 : 0;
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Events still being delivered after " + timeout.toSeconds() + " s");
                }
                Net.sleep(50);
                continue;
            }
            quiet = 0;
            try {
                running.get(0).done().get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                    TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Executions still running after " + timeout.toSeconds() + " s: "
                    + account.stepFunctions().running().stream().map(Execution::name).toList());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for executions", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        List<String> failures = group.asyncFailures();
        if (!failures.isEmpty()) {
            throw new IllegalStateException(String.join("; ", failures));
        }
    }

    /** Waits until {@code execution} holds the cluster lock. */
    public void awaitLockHeldBy(Execution execution, Duration timeout) {
        Net.await(timeout, execution.name() + " never took the cluster lock", () -> execution.arn().equals(lockHolder()));
    }

    /**
     * Waits until every live node is UpToDate with every peer Connected (a resync runs after the
     * execution converged), or the timeout passed; returns whether it got there.
     */
    public boolean awaitInSync(Duration timeout) {
        NodeFleet fleet = account.fleet();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            boolean synced = fleet.nodes().stream().filter(n -> fleet.isOnline(n.instanceId()))
                .map(n -> fleet.snapshot(n.instanceId()))
                .allMatch(s -> "UpToDate".equals(s.disk()) && !s.peers().isEmpty()
                    && s.peers().stream().allMatch(p -> "Connected".equals(p.connection()) && "UpToDate".equals(p.peerDisk())));
            if (synced) {
                return true;
            }
            Net.sleep(200);
        }
        return false;
    }

    // --- the scenario's own record: phases, roles, notes

    /** Starts a named phase; the report counts each phase on its own. */
    public void phase(String name) {
        synchronized (phases) {
            phases.add(reports.mark(name, reconcileExecutions()));
        }
        log("phase " + name);
    }

    /** Names an instance for the scenario's checks and the result (e.g. "replaced", "faulty"). */
    public void role(String role, String instanceId) {
        roles.put(role, instanceId);
    }

    /** The instances the scenario named, by role. */
    public Map<String, String> roles() {
        synchronized (roles) {
            return Map.copyOf(roles);
        }
    }

    /** Records an observation a scenario makes during its run, for its checks (and the progress log). */
    public void note(String key, String value) {
        notes.put(key, value);
        log(key + ": " + value);
    }

    /** The scenario's observations. */
    public Map<String, String> notes() {
        synchronized (notes) {
            return Map.copyOf(notes);
        }
    }

    /** A line in the progress log. */
    public void log(String message) {
        account.progress().note(message);
    }

    // --- read-only views, for the checks

    /** The reconcile executions (not the Provider framework's waiter), in start order. */
    public List<Execution> reconcileExecutions() {
        return account.stepFunctions().executions(account.view().reconcileStateMachineArn());
    }

    /**
     * A volume with the cluster tag, as EC2 (moto) holds it now.
     *
     * @param volumeId vol-…
     * @param state available, in-use, …
     * @param attachedTo the instance it is attached to, or {@code null}
     * @param device its device name there, or {@code null}
     * @param tags its tags
     * @param sizeGiB its size as DescribeVolumes reports it
     */
    public record ClusterVolume(String volumeId, String state, String attachedTo, String device, Map<String, String> tags,
        int sizeGiB) {
    }

    /** Every ModifyVolume EC2 accepted, in order: {@code vol-…: 100 -> 120} (GiB). */
    public List<String> volumeModifications() {
        return account.volumeModifications().accepted().stream()
            .map(m -> m.volumeId() + ": " + m.originalSize() + " -> " + m.targetSize()).toList();
    }

    /** Every volume with the cluster tag (the launch template's TagSpecifications put it on each). */
    public List<ClusterVolume> clusterVolumes() {
        return account.ec2().describeVolumes(b -> b.filters(f -> f.name("tag:" + ClusterTags.CLUSTER)
                .values(account.view().clusterId()))).volumes().stream()
            .map(v -> new ClusterVolume(v.volumeId(), v.stateAsString(),
                v.attachments().isEmpty() ? null : v.attachments().get(0).instanceId(),
                v.attachments().isEmpty() ? null : v.attachments().get(0).device(),
                v.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> a, TreeMap::new)),
                v.size()))
            .toList();
    }

    /**
     * An instance outside the group, from the replicas' launch template: a host the operator runs
     * (e.g. to recover a kept data volume). No node runs on it.
     *
     * @return its instance id and zone
     */
    public Map.Entry<String, String> runStrayInstance() {
        var instance = account.ec2().runInstances(b -> b.minCount(1).maxCount(1)
            .launchTemplate(t -> t.launchTemplateId(account.launchTemplateId()))).instances().get(0);
        log("stray instance " + instance.instanceId() + " runs outside the group");
        return Map.entry(instance.instanceId(), instance.placement().availabilityZone());
    }

    /** An EBS volume the operator creates, with these tags. */
    public String createVolume(String availabilityZone, Map<String, String> tags) {
        return account.ec2().createVolume(b -> b.availabilityZone(availabilityZone).size(1)
            .tagSpecifications(t -> t.resourceType("volume").tags(tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()))).volumeId();
    }

    /** The operator attaches a volume to an instance. */
    public void attachVolume(String volumeId, String instanceId) {
        account.ec2().attachVolume(b -> b.volumeId(volumeId).instanceId(instanceId).device("/dev/sdh"));
    }

    /** The operator detaches a volume from the instance it is attached to. */
    public void detachVolume(String volumeId, String instanceId) {
        account.ec2().detachVolume(b -> b.volumeId(volumeId).instanceId(instanceId));
    }

    /** Whether the volume still exists (in any state but deleted). */
    public boolean volumeExists(String volumeId) {
        return account.ec2().describeVolumes(b -> b.filters(f -> f.name("volume-id").values(volumeId))).volumes()
            .stream().anyMatch(v -> !"deleted".equals(v.stateAsString()));
    }

    /** The execution ARN holding the cluster lock in the registry, or {@code null} when it is free. */
    public String lockHolder() {
        var item = account.dynamoDb().getItem(b -> b.tableName(account.view().tableName()).consistentRead(true)
            .key(Map.of(RegistryKeys.PARTITION_KEY, AttributeValue.fromS(RegistryKeys.LOCK)))).item();
        var holder = item == null ? null : item.get("holder");
        return holder == null ? null : holder.s();
    }

    /** Every SSM command the nodes received, in order. */
    public List<CommandRecord> commands() {
        return account.ssm().commands();
    }

    /** The stack's command log group's streams ({@code commandId/instanceId/.../stdout}) and their text. */
    public Map<String, String> commandLogStreams() {
        return account.ssm().logStreams(stack().commandLogGroup());
    }

    /** Every node the group ever launched, in launch order (terminated ones included). */
    public List<String> instances() {
        return account.fleet().nodes().stream().map(SimulatedNode::instanceId).toList();
    }

    /** Whether the instance still runs (not terminated). */
    public boolean isOnline(String instanceId) {
        return account.fleet().isOnline(instanceId);
    }

    /** What the node holds now. */
    public NodeSnapshot snapshot(String instanceId) {
        return account.fleet().snapshot(instanceId);
    }

    /** Every node's state now, by instance id (terminated nodes included). */
    public Map<String, NodeSnapshot> snapshots() {
        Map<String, NodeSnapshot> snapshots = new LinkedHashMap<>();
        instances().forEach(id -> snapshots.put(id, snapshot(id)));
        return snapshots;
    }

    /** The group's lifecycle hook of {@code launch} or {@code terminate}, as the template sets it (AWS time). */
    public LifecycleModel.Hook hook(String transition) {
        return "launch".equals(transition) ? account.lifecycle().launchHook() : account.lifecycle().terminateHook();
    }

    /** The instance as Auto Scaling holds it (lifecycle state, zone), if the group ever had it. */
    public Optional<LifecycleModel.Instance> lifecycleState(String instanceId) {
        return account.lifecycle().find(instanceId);
    }

    /** Every instance the group ever had, as Auto Scaling holds it. */
    public List<LifecycleModel.Instance> lifecycleStates() {
        return account.lifecycle().all();
    }

    /** The instances whose lifecycle action is still pending. */
    public List<LifecycleModel.Instance> pendingLifecycleActions() {
        return account.lifecycle().pendingActions();
    }

    /** Every lifecycle action completed so far (by a run, or by its timeout), in order. */
    public List<LifecycleModel.Completion> completions() {
        return account.lifecycle().completions();
    }

    /** Each CONTINUEd launch's local disk state at the moment the run CONTINUEd it. */
    public Map<String, String> diskAtLaunchContinue() {
        return group.diskAtLaunchContinue();
    }

    /** Each terminated instance's DRBD role at the moment it entered Terminating:Wait. */
    public Map<String, String> roleAtTerminate() {
        return group.roleAtTerminate();
    }

    /** How many heartbeats the lifecycle actions of {@code instanceId} got. */
    public int heartbeats(String instanceId) {
        return account.lifecycle().heartbeats(instanceId);
    }

    /** Any failure the run's background reactions (event deliveries, lifecycle completions) ran into. */
    public List<String> asyncFailures() {
        return group.asyncFailures();
    }

    /** Every reconcile execution so far laid out in time, in start order. */
    public List<Timeline> timelines() {
        List<CommandRecord> commands = commands();
        return reconcileExecutions().stream().map(e -> TimelineReader.read(e, commands)).toList();
    }

    /** The report of the run so far (no verdict yet). */
    public RehearsalReport report() {
        return report(null, null, null, null, false);
    }

    // --- for the driver (Rehearsal)

    RehearsalReport report(String scenario, String result, String expectation, String failure, boolean keepSandbox) {
        List<ReportBuilder.PhaseMark> marks;
        synchronized (phases) {
            marks = List.copyOf(phases);
        }
        return reports.build(scenario, result, expectation, failure, keepSandbox, reconcileExecutions(), marks,
            lockHolder(), deploy.reports());
    }

    Path sandbox() {
        return account.sandbox();
    }

    /** Deletes the sandbox (after a successful run without --keep-sandbox). */
    void deleteSandbox() {
        account.deleteSandbox();
    }

    /** Stops everything this run started (idempotent). */
    @Override
    public void close() {
        account.close();
    }
}
