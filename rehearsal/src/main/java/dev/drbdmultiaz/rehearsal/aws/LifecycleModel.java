package dev.drbdmultiaz.rehearsal.aws;

import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What moto does not model of an Auto Scaling group: its lifecycle hooks (launch and terminate,
 * both present from the group's creation, as {@code LifecycleHookSpecificationList} makes them),
 * the wait states they put instances in, their completion (CONTINUE / ABANDON, by instance id),
 * heartbeats and timeouts, and the spread of instances over the group's zones.
 *
 * <p>As the Auto Scaling API reference documents a hook (LifecycleHook, PutLifecycleHook,
 * RecordLifecycleActionHeartbeat): an action times out after HeartbeatTimeout without a heartbeat
 * and the group then performs the hook's DefaultResult; a heartbeat extends the timeout by
 * HeartbeatTimeout; no action outlives its global timeout, 172800 s (48 h) or 100 times
 * HeartbeatTimeout, whichever is smaller. Every duration is AWS time, multiplied by the
 * rehearsal's time scale.
 *
 * <p>States: a launched instance waits in {@code Pending:Wait} until its launch action is
 * completed (CONTINUE: {@code InService}). An instance being terminated waits in
 * {@code Terminating:Wait} until its terminate action is completed (either result, also by
 * DefaultResult). As the user guide describes the terminate hook ("Amazon EC2 Auto Scaling instance
 * lifecycle", section Lifecycle hooks,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html, and "How
 * lifecycle hooks work", steps 5 and 6, .../userguide/lifecycle-hooks-overview.html), the completed
 * action moves it on to {@code Terminating:Proceed}, and it enters {@code Terminated} only once EC2
 * has fully terminated it. The guide gives no duration for that, so the harsher reading applies: the
 * instance keeps running (DRBD up, its connections kept, the application may still write there) for
 * {@link #SHUTDOWN} after its action ended, listed in {@code Terminating:Proceed} all that time;
 * then it is gone from the group and {@link #onTerminated} listeners hear of it.
 * An abandoned launch (ABANDON or a timeout with DefaultResult ABANDON) terminates the instance;
 * the documentation does not say whether the terminate hook then holds it, so the harsher
 * reading applies: it enters {@code Terminating:Wait} like any terminating instance. Thread-safe.
 */
public final class LifecycleModel implements AutoCloseable {

    public static final String CONTINUE = "CONTINUE";
    public static final String ABANDON = "ABANDON";
    /** The cap of every hook's global timeout: 48 hours. */
    public static final Duration MAX_GLOBAL_TIMEOUT = Duration.ofHours(48);
    /** The global timeout is at most this many heartbeat timeouts. */
    public static final int GLOBAL_TIMEOUT_HEARTBEATS = 100;
    /**
     * How long an instance runs in {@code Terminating:Proceed} after its terminate action ended,
     * before EC2 has terminated it (AWS time). AWS documents no duration; a minute is long enough for
     * DRBD and the application to go on there while the group already lets it go.
     */
    public static final Duration SHUTDOWN = Duration.ofSeconds(60);

    /** Lifecycle states as the Auto Scaling API spells them. */
    public enum State {
        PENDING_WAIT("Pending:Wait"),
        IN_SERVICE("InService"),
        TERMINATING_WAIT("Terminating:Wait"),
        TERMINATING_PROCEED("Terminating:Proceed"),
        TERMINATED("Terminated");

        private final String api;

        State(String api) {
            this.api = api;
        }

        public String api() {
            return api;
        }
    }

    /** Why an action ended. */
    public enum Cause {
        /** CompleteLifecycleAction. */
        COMPLETED,
        /** HeartbeatTimeout passed without a heartbeat: DefaultResult. */
        HEARTBEAT_TIMEOUT,
        /** The global timeout passed: DefaultResult. */
        GLOBAL_TIMEOUT
    }

    /**
     * A lifecycle hook of the group, as the template declares it.
     *
     * @param name LifecycleHookName
     * @param heartbeatTimeout HeartbeatTimeout (AWS time)
     * @param defaultResult DefaultResult
     */
    public record Hook(String name, Duration heartbeatTimeout, String defaultResult) {

        /** min(48 h, 100 x HeartbeatTimeout). */
        public Duration globalTimeout() {
            Duration hundred = heartbeatTimeout.multipliedBy(GLOBAL_TIMEOUT_HEARTBEATS);
            return hundred.compareTo(MAX_GLOBAL_TIMEOUT) < 0 ? hundred : MAX_GLOBAL_TIMEOUT;
        }
    }

    /** One instance of the group as this model knows it. */
    public record Instance(String instanceId, String availabilityZone, String privateIp, State state) {
    }

    /**
     * One ended lifecycle action.
     *
     * @param instanceId the instance
     * @param hookName the hook the action belonged to
     * @param transition {@code launch} or {@code terminate}
     * @param result CONTINUE or ABANDON
     * @param at when
     * @param cause completed by a call, or timed out
     */
    public record Completion(String instanceId, String hookName, String transition, String result, Instant at,
        Cause cause) {
    }

    /** An action the API refuses (no such group, hook, or no active action for the instance). */
    public static final class ValidationError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ValidationError(String message) {
            super(message);
        }
    }

    /** The timers of one waiting instance, in real time. */
    private record Action(Instant heartbeatDeadline, Instant globalDeadline) {
    }

    private final String groupName;
    private final Hook launchHook;
    private final Hook terminateHook;
    private final List<String> zones;
    private final CompressedTime time;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, Action> actions = new LinkedHashMap<>();
    private final List<Completion> completions = new ArrayList<>();
    private final Map<String, Integer> heartbeats = new LinkedHashMap<>();
    private final List<Consumer<Completion>> completionListeners = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<Instance, String>> waitListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Instance>> terminatedListeners = new CopyOnWriteArrayList<>();
    /** Instances in Terminating:Proceed, with when (real time) they are terminated. */
    private final Map<String, Instant> shutdowns = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * @param time compresses every hook duration
     */
    public LifecycleModel(String groupName, Hook launchHook, Hook terminateHook, List<String> zones, CompressedTime time) {
        this.groupName = groupName;
        this.launchHook = launchHook;
        this.terminateHook = terminateHook;
        this.zones = List.copyOf(zones);
        this.time = time;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifecycle-timeouts " + groupName);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** A model whose hooks time out after an hour with ABANDON, in real time. */
    public LifecycleModel(String groupName, String launchHookName, String terminateHookName, List<String> zones) {
        this(groupName, new Hook(launchHookName, Duration.ofHours(1), ABANDON),
            new Hook(terminateHookName, Duration.ofHours(1), ABANDON), zones, CompressedTime.REAL);
    }

    public String groupName() {
        return groupName;
    }

    public String launchHookName() {
        return launchHook.name();
    }

    public String terminateHookName() {
        return terminateHook.name();
    }

    public Hook launchHook() {
        return launchHook;
    }

    public Hook terminateHook() {
        return terminateHook;
    }

    public List<String> zones() {
        return zones;
    }

    /** Called on every ended action (after the state changed), also for timeouts. */
    public void onCompletion(Consumer<Completion> listener) {
        completionListeners.add(listener);
    }

    /** Called when an instance enters a wait state: {@code launch} (Pending:Wait) or {@code terminate}. */
    public void onWait(BiConsumer<Instance, String> listener) {
        waitListeners.add(listener);
    }

    private volatile Integer desiredCapacity;
    private volatile String launchTemplateVersion = "1";
    /** The launch template version each instance was launched from. */
    private final Map<String, String> launchedFrom = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The version of the group's launch template that new instances launch from (what
     * DescribeAutoScalingGroups answers for the group); instances keep the one they were launched
     * from, where moto answers the template's default version for every instance.
     */
    public void setLaunchTemplateVersion(String version) {
        this.launchTemplateVersion = version;
    }

    /** See {@link #setLaunchTemplateVersion}. */
    public String launchTemplateVersion() {
        return launchTemplateVersion;
    }

    /** The launch template version {@code instanceId} was launched from (the group's current one if unknown). */
    public String launchTemplateVersionOf(String instanceId) {
        return launchedFrom.getOrDefault(instanceId, launchTemplateVersion);
    }

    /**
     * The group's DesiredCapacity as the API answers it while moto's still has the old value (a
     * capacity increase whose instances are not launched yet); {@code null}: moto's.
     */
    public void setDesiredCapacity(Integer capacity) {
        this.desiredCapacity = capacity;
    }

    /** See {@link #setDesiredCapacity}. */
    public Optional<Integer> desiredCapacity() {
        return Optional.ofNullable(desiredCapacity);
    }

    /**
     * Called when an instance is terminated: {@link #SHUTDOWN} (scaled) after its terminate action
     * ended, it leaves {@code Terminating:Proceed} and the group (state {@code Terminated}).
     */
    public void onTerminated(Consumer<Instance> listener) {
        terminatedListeners.add(listener);
    }

    /**
     * A new instance of the group: it enters {@code Pending:Wait} in the zone with the fewest
     * instances that stay (pending or in service; not those terminating), first zone on a tie:
     * the group balances its zones.
     */
    public Instance launched(String instanceId, String privateIp) {
        Instance instance;
        synchronized (this) {
            if (instances.containsKey(instanceId)) {
                return instances.get(instanceId);
            }
            String zone = zones.stream()
                .min(Comparator.comparingLong(z -> instances.values().stream()
                    .filter(i -> i.availabilityZone().equals(z)
                        && (i.state() == State.PENDING_WAIT || i.state() == State.IN_SERVICE)).count()))
                .orElseThrow();
            instance = new Instance(instanceId, zone, privateIp, State.PENDING_WAIT);
            instances.put(instanceId, instance);
            launchedFrom.put(instanceId, launchTemplateVersion);
            actions.put(instanceId, newAction(launchHook));
        }
        waitListeners.forEach(l -> l.accept(instance, "launch"));
        return instance;
    }

    /** The group starts terminating {@code instanceId}: it waits in {@code Terminating:Wait}. */
    public Instance terminating(String instanceId) {
        Instance changed;
        synchronized (this) {
            Instance instance = find(instanceId).orElseThrow(() -> new IllegalArgumentException("Unknown instance "
                + instanceId));
            changed = enterTerminatingWait(instance);
        }
        waitListeners.forEach(l -> l.accept(changed, "terminate"));
        return changed;
    }

    private Instance enterTerminatingWait(Instance instance) {
        Instance changed = new Instance(instance.instanceId(), instance.availabilityZone(), instance.privateIp(),
            State.TERMINATING_WAIT);
        instances.put(instance.instanceId(), changed);
        actions.put(instance.instanceId(), newAction(terminateHook));
        return changed;
    }

    private Action newAction(Hook hook) {
        Instant now = Instant.now();
        return new Action(now.plus(scaled(hook.heartbeatTimeout())), now.plus(scaled(hook.globalTimeout())));
    }

    /** An AWS duration in the rehearsal's time. */
    private Duration scaled(Duration aws) {
        return time.scaled(aws);
    }

    /** CompleteLifecycleAction by instance id (the token is not needed to find the action). */
    public Completion complete(String group, String hookName, String instanceId, String result) {
        if (!CONTINUE.equals(result) && !ABANDON.equals(result)) {
            throw new ValidationError("LifecycleActionResult must be CONTINUE or ABANDON, got " + result);
        }
        Completion completion;
        Instance terminating = null;
        synchronized (this) {
            Instance instance = activeAction(group, hookName, instanceId);
            completion = end(instance, result, Cause.COMPLETED);
            if (completion.transition().equals("launch") && ABANDON.equals(result)) {
                terminating = enterTerminatingWait(instances.get(instanceId));
            }
        }
        notifyEnded(completion, terminating);
        return completion;
    }

    /**
     * Ends the instance's action: a launch goes InService (CONTINUE) or is terminated (ABANDON: the
     * caller puts it in Terminating:Wait); a terminate goes to Terminating:Proceed until its shutdown.
     */
    private Completion end(Instance instance, String result, Cause cause) {
        boolean launch = instance.state() == State.PENDING_WAIT;
        State next = launch ? (CONTINUE.equals(result) ? State.IN_SERVICE : State.TERMINATED)
            : State.TERMINATING_PROCEED;
        instances.put(instance.instanceId(), new Instance(instance.instanceId(), instance.availabilityZone(),
            instance.privateIp(), next));
        actions.remove(instance.instanceId());
        if (!launch) {
            shutdowns.put(instance.instanceId(), Instant.now().plus(scaled(SHUTDOWN)));
        }
        Completion completion = new Completion(instance.instanceId(), launch ? launchHook.name() : terminateHook.name(),
            launch ? "launch" : "terminate", result, Instant.now(), cause);
        completions.add(completion);
        return completion;
    }

    private void notifyEnded(Completion completion, Instance terminating) {
        completionListeners.forEach(listener -> listener.accept(completion));
        if (terminating != null) {
            Instance waiting = terminating;
            waitListeners.forEach(l -> l.accept(waiting, "terminate"));
        }
    }

    /** RecordLifecycleActionHeartbeat by instance id: the timeout starts again, up to the global timeout. */
    public synchronized void heartbeat(String group, String hookName, String instanceId) {
        Instance instance = activeAction(group, hookName, instanceId);
        Hook hook = instance.state() == State.PENDING_WAIT ? launchHook : terminateHook;
        Action action = actions.get(instanceId);
        Instant extended = Instant.now().plus(scaled(hook.heartbeatTimeout()));
        actions.put(instanceId, new Action(extended.isBefore(action.globalDeadline()) ? extended
            : action.globalDeadline(), action.globalDeadline()));
        heartbeats.merge(instanceId, 1, Integer::sum);
    }

    /** One round of the timer: the timeouts, then the shutdowns that are over. */
    private void tick() {
        expire();
        terminateShutDown();
    }

    /** Every instance whose {@link #SHUTDOWN} in Terminating:Proceed is over is terminated and leaves the group. */
    private void terminateShutDown() {
        List<Instance> gone = new ArrayList<>();
        synchronized (this) {
            Instant now = Instant.now();
            for (Map.Entry<String, Instant> entry : List.copyOf(shutdowns.entrySet())) {
                if (now.isBefore(entry.getValue())) {
                    continue;
                }
                Instance instance = instances.get(entry.getKey());
                Instance terminated = new Instance(instance.instanceId(), instance.availabilityZone(),
                    instance.privateIp(), State.TERMINATED);
                instances.put(instance.instanceId(), terminated);
                shutdowns.remove(entry.getKey());
                gone.add(terminated);
            }
        }
        gone.forEach(instance -> terminatedListeners.forEach(l -> l.accept(instance)));
    }

    /** Applies DefaultResult to every action whose heartbeat or global timeout passed. */
    private void expire() {
        List<Map.Entry<Completion, Instance>> ended = new ArrayList<>();
        synchronized (this) {
            Instant now = Instant.now();
            for (Map.Entry<String, Action> entry : List.copyOf(actions.entrySet())) {
                Action action = entry.getValue();
                boolean global = !now.isBefore(action.globalDeadline());
                if (!global && now.isBefore(action.heartbeatDeadline())) {
                    continue;
                }
                Instance instance = instances.get(entry.getKey());
                Hook hook = instance.state() == State.PENDING_WAIT ? launchHook : terminateHook;
                Completion completion = end(instance, hook.defaultResult(),
                    global ? Cause.GLOBAL_TIMEOUT : Cause.HEARTBEAT_TIMEOUT);
                Instance terminating = completion.transition().equals("launch") && ABANDON.equals(hook.defaultResult())
                    ? enterTerminatingWait(instances.get(entry.getKey())) : null;
                ended.add(new java.util.AbstractMap.SimpleEntry<>(completion, terminating));
            }
        }
        ended.forEach(e -> notifyEnded(e.getKey(), e.getValue()));
    }

    private Instance activeAction(String group, String hookName, String instanceId) {
        if (!groupName.equals(group)) {
            throw new ValidationError("Group " + group + " not found");
        }
        if (!hookName.equals(launchHook.name()) && !hookName.equals(terminateHook.name())) {
            throw new ValidationError("No Lifecycle Hook named " + hookName + " found for group " + group);
        }
        State waiting = hookName.equals(launchHook.name()) ? State.PENDING_WAIT : State.TERMINATING_WAIT;
        Instance instance = instances.get(instanceId);
        if (instance == null || instance.state() != waiting) {
            throw new ValidationError("No active Lifecycle Action found with instance ID " + instanceId);
        }
        return instance;
    }

    public synchronized Optional<Instance> find(String instanceId) {
        return Optional.ofNullable(instances.get(instanceId));
    }

    /**
     * Instances still in the group as the API shows them (not yet terminated, so also those in
     * Terminating:Proceed), in launch order.
     */
    public synchronized List<Instance> live() {
        return instances.values().stream().filter(i -> i.state() != State.TERMINATED).toList();
    }

    public synchronized List<Instance> all() {
        return List.copyOf(instances.values());
    }

    public synchronized List<Completion> completions() {
        return List.copyOf(completions);
    }

    public synchronized int heartbeats() {
        return heartbeats.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Heartbeats recorded for one instance's actions. */
    public synchronized int heartbeats(String instanceId) {
        return heartbeats.getOrDefault(instanceId, 0);
    }

    /** Instances whose launch or terminate action nobody completed yet. */
    public synchronized List<Instance> pendingActions() {
        return instances.values().stream()
            .filter(i -> i.state() == State.PENDING_WAIT || i.state() == State.TERMINATING_WAIT).toList();
    }

    /**
     * Stops the timer: a round under way (a listener terminating a node) finishes, waited for up to
     * 10 s; nothing runs after that. Instances still shutting down stay in Terminating:Proceed (their
     * nodes stop with the fleet).
     */
    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
