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
            .launchTemplate(t -> t.launchTemplateId(account.launchTemplateId()))
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
            account.tagLaunchVolumes(id);
            LifecycleModel.Instance modeled = lifecycle.launched(id, ip);
            String hostname = "ip-" + ip.replace('.', '-');
            NodeFaults nodeFaults = faultsByLaunch.apply(knownInstances.size() - 1);
            fleet.addNode(id, hostname, ip, modeled.availabilityZone(), nodeFaults);
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
        List<String> order = knownInstancesInOrder();
        // The zones as the lifecycle model placed the instances (the API's view of them).
        Map<String, String> zoneOf = new java.util.HashMap<>();
        List<String> unprotected = new ArrayList<>();
        List<String> protectedIds = new ArrayList<>();
        for (Instance instance : current.instances()) {
            var modeled = lifecycle.find(instance.instanceId());
            if (modeled.isEmpty() || modeled.get().state() != LifecycleModel.State.IN_SERVICE) {
                continue;
            }
            zoneOf.put(instance.instanceId(), modeled.get().availabilityZone());
            (Boolean.TRUE.equals(instance.protectedFromScaleIn()) ? protectedIds : unprotected).add(instance.instanceId());
        }
        List<String> victims = new ArrayList<>();
        // Each pick: the fullest zone (counting every instance that stays), the first zone on a tie,
        // then the oldest launch; only unprotected instances are picked.
        java.util.function.ToLongFunction<String> zoneSize = id -> zoneOf.entrySet().stream()
            .filter(e -> e.getValue().equals(zoneOf.get(id)) && !victims.contains(e.getKey())).count();
        java.util.Comparator<String> policy = java.util.Comparator.comparingLong(zoneSize).reversed()
            .thenComparingInt(id -> lifecycle.zones().indexOf(zoneOf.get(id)))
            .thenComparingInt(order::indexOf);
        for (int i = 0; i < desired - nodes; i++) {
            unprotected.stream().filter(id -> !victims.contains(id)).min(policy).ifPresent(victims::add);
        }
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
        try {
            return fleet.deviceViews().stream().filter(v -> v.instanceId().equals(instanceId)).findFirst()
                .map(v -> v.up() ? v.disk() : "down").orElse("no node");
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
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
