package dev.drbdmultiaz.rehearsal;

import dev.drbdmultiaz.rehearsal.aws.EventBus;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Instance;

/**
 * The Auto Scaling group as AWS runs it, and EventBridge's deliveries: the group launches and
 * terminates instances in moto, each instance gets a node in the fleet and a lifecycle action in
 * the {@link LifecycleModel}; every lifecycle event and every schedule tick is delivered on its
 * own thread, as EventBridge delivers asynchronously. Failures of these background reactions are
 * collected for the scenario's checks.
 */
final class GroupDriver implements AutoCloseable {

    private final EmulatedAccount account;
    private final AwsEvents events;
    private final AutoScalingClient autoScaling;
    private final LifecycleModel lifecycle;
    private final NodeFleet fleet;
    private final Progress progress;
    private final Set<String> knownInstances = new LinkedHashSet<>();
    private final Set<String> leftGroup = new HashSet<>();
    /**
     * How long after a capacity increase the group lists the new instances. Not documented (a
     * scaling activity launches them); the harsher reading: a while, longer than a run takes to
     * describe the group.
     */
    static final java.time.Duration LAUNCHES_LISTED_AFTER = java.time.Duration.ofMinutes(4);
    /** Instances the group terminates because its capacity went down: no replacement. */
    private final Set<String> scaledIn = new HashSet<>();
    private final ExecutorService deliveries = Executors.newCachedThreadPool();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<ScheduledFuture<?>> schedules = new CopyOnWriteArrayList<>();
    private final List<String> asyncFailures = Collections.synchronizedList(new ArrayList<>());
    /** Each CONTINUEd launch's local disk state at the moment of its CONTINUE. */
    private final Map<String, String> diskAtLaunchContinue = new ConcurrentHashMap<>();
    /** Each instance's DRBD role at the moment it entered Terminating:Wait. */
    private final Map<String, String> roleAtTerminate = new ConcurrentHashMap<>();
    private volatile BiPredicate<String, String> lifecycleEventLost = (id, transition) -> false;
    private volatile BiPredicate<String, String> lifecycleEventDuplicated = (id, transition) -> false;
    private boolean capacityAvailable = true;
    private IntFunction<NodeFaults> faultsByLaunch = index -> NodeFaults.none();

    GroupDriver(EmulatedAccount account, AwsEvents events) {
        this(account, events, account.autoScaling(), account.lifecycle(), account.fleet(), account.progress());
    }

    /**
     * With the account's parts given: a test drives the launch events of a bare lifecycle model
     * (the launch path uses neither the account, nor autoScaling, nor the fleet).
     */
    GroupDriver(EmulatedAccount account, AwsEvents events, AutoScalingClient autoScaling, LifecycleModel lifecycle,
        NodeFleet fleet, Progress progress) {
        this.account = account;
        this.events = events;
        this.autoScaling = autoScaling;
        this.lifecycle = lifecycle;
        this.fleet = fleet;
        this.progress = progress;
        lifecycle.onWait(this::enteredWait);
        lifecycle.onCompletion(this::afterLifecycleAction);
        lifecycle.onTerminated(this::instanceTerminated);
    }

    /** See {@link RehearsalRun#launchGroup}. */
    List<String> createGroup(int nodes, IntFunction<NodeFaults> faults) {
        this.faultsByLaunch = faults == null ? index -> NodeFaults.none() : faults;
        String group = account.view().groupName();
        autoScaling.createAutoScalingGroup(b -> b.autoScalingGroupName(group)
            .launchTemplate(t -> t.launchTemplateId(account.launchTemplateId()).version(lifecycle.launchTemplateVersion()))
            .minSize(nodes).maxSize(nodes + 1).desiredCapacity(nodes)
            .availabilityZones(lifecycle.zones()));
        return discoverInstances();
    }

    /**
     * Instances moto launched that the rehearsal has not seen yet: each enters Pending:Wait in
     * the lifecycle model and gets a node in the fleet (hostname from its private IP, as EC2's
     * ip-name hostnames are).
     */
    synchronized List<String> discoverInstances() {
        List<String> added = new ArrayList<>();
        List<Instance> instances = autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(
            account.view().groupName())).autoScalingGroups().get(0).instances();
        for (Instance instance : instances) {
            String id = instance.instanceId();
            if (!knownInstances.add(id)) {
                continue;
            }
            String ip = account.ec2().describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances()
                .get(0).privateIpAddress();
            EmulatedAccount.LaunchedVolume dataVolume = account.tagLaunchVolumes(id);
            LifecycleModel.Instance modeled = lifecycle.launched(id, ip);
            String hostname = "ip-" + ip.replace('.', '-');
            NodeFaults nodeFaults = faultsByLaunch.apply(knownInstances.size() - 1);
            fleet.addNode(id, hostname, ip, modeled.availabilityZone(), nodeFaults, dataVolume.sizeGiB(),
                dataVolume.volumeId());
            progress.note("instance " + id + " launched in " + modeled.availabilityZone() + " (" + hostname + ", "
                + ip + ")" + (NodeFaults.none().equals(nodeFaults) ? "" : " with faults " + nodeFaults)
                + ": Pending:Wait");
            added.add(id);
        }
        return added;
    }

    /** See {@link RehearsalRun#terminate}. */
    String terminateInstance(String instanceId) {
        int before = knownInstancesInOrder().size();
        lifecycle.terminating(instanceId);
        List<String> all = knownInstancesInOrder();
        List<String> replacements = all.subList(before, all.size());
        if (replacements.size() > 1 || (capacityAvailable && replacements.isEmpty())) {
            throw new IllegalStateException("Expected one replacement of " + instanceId + ", got " + replacements);
        }
        return replacements.isEmpty() ? null : replacements.get(0);
    }

    /**
     * CloudFormation sets the group's capacity to {@code nodes} (MinSize, MaxSize and
     * DesiredCapacity, see {@link RehearsalRun#deploy}). Up: {@link #LAUNCHES_LISTED_AFTER} later moto
     * launches, each new instance waits in Pending:Wait. Down: the group picks the instances to terminate as its default termination
     * policy does ("Configure termination policies", Amazon EC2 Auto Scaling User Guide): from the
     * zone with the most instances that has an unprotected one (the first zone on a tie), never an
     * instance protected from scale-in; within the zone, as all share one launch template, the
     * oldest launch (the remaining criteria, billing hour and random, are not modelled). Each goes
     * through the terminate hook without a replacement.
     *
     * @return the instances picked for termination (none when the capacity goes up)
     */
    List<String> updateCapacity(int nodes) {
        String group = account.view().groupName();
        var current = autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(group)).autoScalingGroups()
            .get(0);
        int desired = current.desiredCapacity();
        if (nodes > desired) {
            // Harsher reading: the group lists the new instances a while after the update.
            long listedAfter = account.time().scaled(LAUNCHES_LISTED_AFTER).toMillis();
            progress.note("group capacity " + desired + " -> " + nodes + ": the new instances are listed in "
                + listedAfter + " ms (" + LAUNCHES_LISTED_AFTER.toSeconds() + " s in AWS)");
            // The API answers the new DesiredCapacity at once; moto would launch at once.
            lifecycle.setDesiredCapacity(nodes);
            scheduler.schedule(() -> {
                try {
                    autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(group).maxSize(nodes + 1)
                        .desiredCapacity(nodes).minSize(nodes));
                    lifecycle.setDesiredCapacity(null);
                    progress.note("group capacity " + nodes + ": launched " + discoverInstances());
                } catch (RuntimeException e) {
                    asyncFailures.add("Launching to capacity " + nodes + " failed: " + e.getMessage());
                }
            }, listedAfter, TimeUnit.MILLISECONDS);
            return List.of();
        }
        if (nodes == desired) {
            return List.of();
        }
        List<String> protectedIds = protectedInService(current);
        List<String> victims = pickForTermination(current, desired - nodes, id -> true, false);
        autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(group).minSize(nodes).maxSize(Math.max(nodes + 1,
            current.maxSize())));
        progress.note("group capacity " + desired + " -> " + nodes + ": terminates " + victims
            + " (protected from scale-in: " + protectedIds + ")");
        synchronized (this) {
            scaledIn.addAll(victims);
        }
        victims.forEach(lifecycle::terminating);
        return victims;
    }

    /** The group's InService instances protected from scale-in, as the API lists them. */
    private List<String> protectedInService(software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup group) {
        return group.instances().stream()
            .filter(i -> Boolean.TRUE.equals(i.protectedFromScaleIn()))
            .filter(i -> lifecycle.find(i.instanceId()).map(m -> m.state() == LifecycleModel.State.IN_SERVICE)
                .orElse(false))
            .map(Instance::instanceId).toList();
    }

    /**
     * Up to {@code count} InService instances the group would terminate, as its default termination
     * policy picks them ("Configure termination policies", Amazon EC2 Auto Scaling User Guide): each
     * pick from the zone with the most instances that stay (the first zone on a tie), never one
     * {@code eligible} refuses nor, unless {@code includeProtected}, one protected from scale-in; within the zone, as all share one
     * launch template, the oldest launch (billing hour and random are not modelled).
     */
    private List<String> pickForTermination(software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup group,
        int count, java.util.function.Predicate<String> eligible, boolean includeProtected) {
        List<String> order = knownInstancesInOrder();
        // The zones as the lifecycle model placed the instances (the API's view of them).
        Map<String, String> zoneOf = new java.util.HashMap<>();
        List<String> candidates = new ArrayList<>();
        for (Instance instance : group.instances()) {
            var modeled = lifecycle.find(instance.instanceId());
            if (modeled.isEmpty() || modeled.get().state() != LifecycleModel.State.IN_SERVICE) {
                continue;
            }
            zoneOf.put(instance.instanceId(), modeled.get().availabilityZone());
            if ((includeProtected || !Boolean.TRUE.equals(instance.protectedFromScaleIn()))
                && eligible.test(instance.instanceId())) {
                candidates.add(instance.instanceId());
            }
        }
        List<String> picked = new ArrayList<>();
        java.util.function.ToLongFunction<String> zoneSize = id -> zoneOf.entrySet().stream()
            .filter(e -> e.getValue().equals(zoneOf.get(id)) && !picked.contains(e.getKey())).count();
        java.util.Comparator<String> policy = java.util.Comparator.comparingLong(zoneSize).reversed()
            .thenComparingInt(id -> lifecycle.zones().indexOf(zoneOf.get(id)))
            .thenComparingInt(order::indexOf);
        for (int i = 0; i < count; i++) {
            candidates.stream().filter(id -> !picked.contains(id)).min(policy).ifPresent(picked::add);
        }
        return picked;
    }

    /** How an instance refresh ended (DescribeInstanceRefreshes' Status and StatusReason). */
    record RefreshOutcome(String status, String reason, List<String> replaced) {
        boolean succeeded() {
            return "Successful".equals(status);
        }
    }

    /**
     * How long a refresh waits for an instance protected from scale-in ({@code ScaleInProtectedInstances}
     * Wait): "waits one hour for you to remove scale-in protection. Otherwise, the instance refresh will
     * fail" (RefreshPreferences, Amazon EC2 Auto Scaling API reference).
     */
    static final java.time.Duration PROTECTED_WAIT = java.time.Duration.ofHours(1);
    /** How often the refresh looks again at a protected instance (not documented). */
    static final java.time.Duration PROTECTION_POLL = java.time.Duration.ofSeconds(30);

    /**
     * CloudFormation's AutoScalingInstanceRefresh update policy after the group's launch template
     * changed to {@code version}: an instance refresh that the stack update waits for. Modelled with
     * the template's preferences as the harsher reading allows: skip matching (instances launched
     * from {@code version} stay); launch before terminate with MinHealthyPercentage 100 and room for
     * one instance more (the percentage rounded down, at least one); the instance to replace is the
     * one the termination policy picks among the outdated ones; the replacement must reach InService
     * (its launch action CONTINUEd) before the old one enters Terminating:Wait, and the next
     * replacement starts at once (the old one's terminate action need not have ended: it no longer
     * counts as healthy). Protected instances: Wait (at most {@link #PROTECTED_WAIT}), Refresh or
     * Ignore, as the preference says. A launch that ends otherwise (abandoned, its hook timed out) fails
     * the refresh.
     */
    RefreshOutcome refreshInstances(String version, StackView.RefreshPreferences preferences) {
        String group = account.view().groupName();
        String protectedInstances = preferences.scaleInProtectedInstances();
        if (preferences.minHealthyPercentage() != 100) {
            throw new IllegalStateException("The rehearsal models launch before terminate only (MinHealthyPercentage"
                + " 100), the template has " + preferences.minHealthyPercentage());
        }
        account.useLaunchTemplateVersion(version);
        progress.note("group launch template version " + version + ": instance refresh starts (protected instances: "
            + protectedInstances + ")");
        List<String> replaced = new ArrayList<>();
        java.time.Instant waitingSince = null;
        while (true) {
            var current = autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(group)).autoScalingGroups()
                .get(0);
            java.util.function.Predicate<String> outdated = id -> !version.equals(lifecycle.launchTemplateVersionOf(id));
            List<String> remaining = current.instances().stream().map(Instance::instanceId)
                .filter(id -> lifecycle.find(id).map(m -> m.state() == LifecycleModel.State.IN_SERVICE).orElse(false))
                .filter(outdated).toList();
            List<String> protectedOutdated = protectedInService(current).stream().filter(outdated).toList();
            if ("Ignore".equals(protectedInstances)) {
                remaining = remaining.stream().filter(id -> !protectedOutdated.contains(id)).toList();
            }
            if (remaining.isEmpty()) {
                lifecycle.setDesiredCapacity(null);
                progress.note("instance refresh Successful: replaced " + replaced);
                return new RefreshOutcome("Successful", null, replaced);
            }
            List<String> victim = pickForTermination(current, 1, outdated, "Refresh".equals(protectedInstances));
            if (victim.isEmpty()) {
                java.time.Instant now = java.time.Instant.now();
                waitingSince = waitingSince == null ? now : waitingSince;
                if (java.time.Duration.between(waitingSince, now).compareTo(account.time().scaled(PROTECTED_WAIT)) >= 0) {
                    String reason = "Waited " + PROTECTED_WAIT.toMinutes() + " minutes for instances protected from"
                        + " scale-in: " + protectedOutdated;
                    progress.note("instance refresh Failed: " + reason);
                    lifecycle.setDesiredCapacity(null);
                    return new RefreshOutcome("Failed", reason, replaced);
                }
                sleep(account.time().scaled(PROTECTION_POLL));
                continue;
            }
            waitingSince = null;
            String old = victim.get(0);
            int desired = current.desiredCapacity();
            if (desired * preferences.maxHealthyPercentage() / 100 <= desired) {
                String reason = "MaxHealthyPercentage " + preferences.maxHealthyPercentage() + " of " + desired
                    + " instances, rounded down, leaves no room to launch before terminating";
                progress.note("instance refresh Failed: " + reason);
                return new RefreshOutcome("Failed", reason, replaced);
            }
            String launched = launchOneMore(group, desired);
            LifecycleModel.State reached = awaitLaunch(launched);
            if (reached != LifecycleModel.State.IN_SERVICE) {
                String reason = "The replacement " + launched + " of " + old + " did not reach InService: " + reached;
                progress.note("instance refresh Failed: " + reason);
                lifecycle.setDesiredCapacity(null);
                return new RefreshOutcome("Failed", reason, replaced);
            }
            synchronized (this) {
                scaledIn.add(old);
            }
            progress.note("instance refresh: " + launched + " InService, terminating " + old);
            lifecycle.terminating(old);
            replaced.add(old);
        }
    }

    /** The refresh's extra instance: moto launches one more, the API keeps answering {@code desired}. */
    private String launchOneMore(String group, int desired) {
        lifecycle.setDesiredCapacity(desired);
        autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(group).desiredCapacity(desired + 1));
        List<String> added = discoverInstances();
        if (added.size() != 1) {
            throw new IllegalStateException("The refresh expected one launch, moto launched " + added);
        }
        return added.get(0);
    }

    /** Waits until the launch action of {@code instanceId} ended; the state it left the instance in. */
    private LifecycleModel.State awaitLaunch(String instanceId) {
        long deadline = System.nanoTime() + account.time().scaled(LifecycleModel.MAX_GLOBAL_TIMEOUT).toNanos();
        while (System.nanoTime() < deadline) {
            LifecycleModel.State state = lifecycle.find(instanceId).map(LifecycleModel.Instance::state).orElseThrow();
            if (state != LifecycleModel.State.PENDING_WAIT) {
                return state;
            }
            sleep(java.time.Duration.ofMillis(50));
        }
        return LifecycleModel.State.PENDING_WAIT;
    }

    private static void sleep(java.time.Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during the instance refresh", e);
        }
    }

    /** See {@link RehearsalRun#deleteGroup}. */
    List<String> forceDeleteGroup() {
        stopSchedule();
        String group = account.view().groupName();
        List<String> members = autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(group))
            .autoScalingGroups().get(0).instances().stream().map(Instance::instanceId).toList();
        // moto's DeleteAutoScalingGroup terminates the instances at once, while EC2 shuts them down
        // over a while: detached first, they outlive the group and terminate after SHUTDOWN.
        autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(group).minSize(0));
        if (!members.isEmpty()) {
            autoScaling.detachInstances(b -> b.autoScalingGroupName(group).instanceIds(members)
                .shouldDecrementDesiredCapacity(true));
        }
        autoScaling.deleteAutoScalingGroup(b -> b.autoScalingGroupName(group).forceDelete(true));
        progress.note("group " + group + " deleted (ForceDelete); its instances " + members + " shut down");
        long shutdown = account.time().scaled(LifecycleModel.SHUTDOWN).toMillis();
        scheduler.schedule(() -> {
            try {
                if (!members.isEmpty()) {
                    account.ec2().terminateInstances(b -> b.instanceIds(members));
                }
                for (String id : members) {
                    if (fleet.isOnline(id)) {
                        fleet.terminate(id);
                    }
                }
                progress.note("instances " + members + " terminated: their data volumes detached");
            } catch (RuntimeException e) {
                asyncFailures.add("Terminating the deleted group's instances failed: " + e.getMessage());
            }
        }, shutdown, TimeUnit.MILLISECONDS);
        return members;
    }

    /** See {@link RehearsalRun#setCapacityAvailable}. */
    void setCapacityAvailable(boolean available) {
        synchronized (this) {
            capacityAvailable = available;
        }
        String group = account.view().groupName();
        if (available) {
            int desired = account.options().nodes();
            autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(group).desiredCapacity(desired)
                .minSize(desired));
            List<String> launched = discoverInstances();
            progress.note("capacity is back: the group launched " + launched);
        } else {
            // The group cannot launch: modelled as a replacement that never comes (desired capacity
            // drops with each termination, so moto launches nothing).
            autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(group).minSize(0));
            progress.note("EC2 has no capacity for the group's launches (InsufficientInstanceCapacity)");
        }
    }

    /** See {@link RehearsalRun#startSchedule}. */
    void startSchedule() {
        for (EventBus.Rule rule : account.events().schedules()) {
            long millis = account.time().scaled(rule.schedule()).toMillis();
            schedules.add(scheduler.scheduleAtFixedRate(() -> deliver(() -> events.fireSchedule(rule)),
                millis, millis, TimeUnit.MILLISECONDS));
            progress.note("schedule " + rule.logicalId() + " fires every " + millis + " ms (" + rule.schedule() + " in AWS)");
        }
    }

    /** See {@link RehearsalRun#stopSchedule}. */
    void stopSchedule() {
        schedules.forEach(s -> s.cancel(false));
        schedules.clear();
        progress.note("schedule stopped");
    }

    /** See {@link RehearsalRun#loseLifecycleEvents}. */
    void loseLifecycleEvents(BiPredicate<String, String> lost) {
        this.lifecycleEventLost = lost;
    }

    /** See {@link RehearsalRun#duplicateLifecycleEvents}. */
    void duplicateLifecycleEvents(BiPredicate<String, String> duplicated) {
        this.lifecycleEventDuplicated = duplicated;
    }

    /** How many event deliveries are under way. */
    int inFlight() {
        return inFlight.get();
    }

    /** Any failure the background reactions (event deliveries, lifecycle completions) ran into. */
    List<String> asyncFailures() {
        return List.copyOf(asyncFailures);
    }

    /**
     * An instance entered Pending:Wait or Terminating:Wait: Auto Scaling sends the lifecycle
     * event to EventBridge; a terminating instance leaves the group in moto, which launches its
     * replacement (the group keeps its desired capacity).
     */
    private void enteredWait(LifecycleModel.Instance instance, String transition) {
        if ("terminate".equals(transition)) {
            roleAtTerminate.put(instance.instanceId(), roleOf(instance.instanceId()));
            progress.note("instance " + instance.instanceId() + " terminating: Terminating:Wait");
            try {
                synchronized (this) {
                    if (leftGroup.add(instance.instanceId())) {
                        boolean replace = capacityAvailable && !scaledIn.contains(instance.instanceId());
                        autoScaling.terminateInstanceInAutoScalingGroup(b -> b.instanceId(instance.instanceId())
                            .shouldDecrementDesiredCapacity(!replace));
                        discoverInstances();
                    }
                }
            } catch (RuntimeException e) {
                asyncFailures.add("Replacing " + instance.instanceId() + " failed: " + e.getMessage());
            }
        }
        if (lifecycleEventLost.test(instance.instanceId(), transition)) {
            progress.note("the " + transition + " lifecycle event of " + instance.instanceId()
                + " was lost (EventBridge delivers Auto Scaling events on a best-effort basis)");
            return;
        }
        var event = events.lifecycleEvent(transition, instance.instanceId());
        if (!lifecycleEventDuplicated.test(instance.instanceId(), transition)) {
            deliver(() -> events.deliver(event, false));
            return;
        }
        progress.note("the " + transition + " lifecycle event of " + instance.instanceId() + " is delivered twice"
            + " (same event id: EventBridge delivers at least once)");
        deliver(() -> events.deliver(event, true));
        deliver(() -> events.deliver(event, true));
    }

    private void afterLifecycleAction(LifecycleModel.Completion completion) {
        if (fleet != null && "launch".equals(completion.transition())
            && LifecycleModel.CONTINUE.equals(completion.result())) {
            diskAtLaunchContinue.put(completion.instanceId(), diskOf(completion.instanceId()));
        }
        progress.lifecycle(completion);
        if ("terminate".equals(completion.transition())) {
            progress.note("instance " + completion.instanceId() + " shutting down: Terminating:Proceed (still runs"
                + " for " + LifecycleModel.SHUTDOWN.toSeconds() + " s of AWS time)");
        }
    }

    /** The node's local disk state now ("down" when its resource is not up). */
    private String diskOf(String instanceId) {
        return deviceNow(instanceId, NodeFleet.DeviceView::disk);
    }

    /** The node's DRBD role now ("down" when its resource is not up). */
    private String roleOf(String instanceId) {
        return deviceNow(instanceId, NodeFleet.DeviceView::role);
    }

    private String deviceNow(String instanceId, java.util.function.Function<NodeFleet.DeviceView, String> field) {
        try {
            return fleet.deviceViews().stream().filter(v -> v.instanceId().equals(instanceId)).findFirst()
                .map(v -> v.up() ? field.apply(v) : "down").orElse("no node");
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Each instance's DRBD role at the moment it entered Terminating:Wait. */
    public Map<String, String> roleAtTerminate() {
        return Map.copyOf(roleAtTerminate);
    }

    /** Each CONTINUEd launch's local disk state at the moment the run CONTINUEd it. */
    public Map<String, String> diskAtLaunchContinue() {
        return Map.copyOf(diskAtLaunchContinue);
    }

    /** EC2 terminated the instance after its Terminating:Proceed: its node stops. */
    private void instanceTerminated(LifecycleModel.Instance instance) {
        try {
            if (fleet.isOnline(instance.instanceId())) {
                fleet.terminate(instance.instanceId());
            }
            progress.note("instance " + instance.instanceId() + " terminated");
        } catch (RuntimeException e) {
            asyncFailures.add("Terminating " + instance.instanceId() + " failed: " + e.getMessage());
        }
    }

    /** Runs an event delivery on its own thread, as EventBridge delivers asynchronously. */
    private void deliver(Runnable delivery) {
        inFlight.incrementAndGet();
        deliveries.execute(() -> {
            try {
                delivery.run();
            } catch (RuntimeException e) {
                asyncFailures.add("Event delivery failed: " + e.getMessage());
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private synchronized List<String> knownInstancesInOrder() {
        return List.copyOf(knownInstances);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        deliveries.shutdownNow();
    }
}
