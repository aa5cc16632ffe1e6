package dev.drbdmultiaz.rehearsal.aws;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What moto does not model of an Auto Scaling group: lifecycle hooks (launch and terminate, both
 * present from the group's creation, as {@code LifecycleHookSpecificationList} makes them), the
 * wait states they put instances in, their completion (CONTINUE / ABANDON, by instance id) and
 * heartbeats, and the spread of instances over the group's zones.
 *
 * <p>States: a launched instance waits in {@code Pending:Wait} until its launch action is
 * completed (CONTINUE: {@code InService}; ABANDON: the group terminates it). An instance being
 * terminated waits in {@code Terminating:Wait} until its terminate action is completed, then is
 * gone. Thread-safe.
 */
public final class LifecycleModel {

    public static final String CONTINUE = "CONTINUE";
    public static final String ABANDON = "ABANDON";

    /** Lifecycle states as the Auto Scaling API spells them. */
    public enum State {
        PENDING_WAIT("Pending:Wait"),
        IN_SERVICE("InService"),
        TERMINATING_WAIT("Terminating:Wait"),
        TERMINATED("Terminated");

        private final String api;

        State(String api) {
            this.api = api;
        }

        public String api() {
            return api;
        }
    }

    /** One instance of the group as this model knows it. */
    public record Instance(String instanceId, String availabilityZone, String privateIp, State state) {
    }

    /**
     * One completed lifecycle action.
     *
     * @param instanceId the instance
     * @param hookName the hook the action belonged to
     * @param transition {@code launch} or {@code terminate}
     * @param result CONTINUE or ABANDON
     * @param at when
     */
    public record Completion(String instanceId, String hookName, String transition, String result, Instant at) {
    }

    /** An action the API refuses (no such group, hook, or no active action for the instance). */
    public static final class ValidationError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ValidationError(String message) {
            super(message);
        }
    }

    private final String groupName;
    private final String launchHookName;
    private final String terminateHookName;
    private final List<String> zones;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final List<Completion> completions = new ArrayList<>();
    private final Map<String, Integer> heartbeats = new LinkedHashMap<>();
    private final List<Consumer<Completion>> listeners = new CopyOnWriteArrayList<>();

    public LifecycleModel(String groupName, String launchHookName, String terminateHookName, List<String> zones) {
        this.groupName = groupName;
        this.launchHookName = launchHookName;
        this.terminateHookName = terminateHookName;
        this.zones = List.copyOf(zones);
    }

    public String groupName() {
        return groupName;
    }

    public String launchHookName() {
        return launchHookName;
    }

    public String terminateHookName() {
        return terminateHookName;
    }

    public List<String> zones() {
        return zones;
    }

    /** Called on every completion (after the state changed). */
    public void onCompletion(Consumer<Completion> listener) {
        listeners.add(listener);
    }

    /**
     * A new instance of the group: it enters {@code Pending:Wait} in the zone with the fewest
     * instances that stay (pending or in service; not those terminating), first zone on a tie:
     * the group balances its zones.
     */
    public synchronized Instance launched(String instanceId, String privateIp) {
        if (instances.containsKey(instanceId)) {
            return instances.get(instanceId);
        }
        String zone = zones.stream()
            .min(Comparator.comparingLong(z -> instances.values().stream()
                .filter(i -> i.availabilityZone().equals(z)
                    && (i.state() == State.PENDING_WAIT || i.state() == State.IN_SERVICE)).count()))
            .orElseThrow();
        Instance instance = new Instance(instanceId, zone, privateIp, State.PENDING_WAIT);
        instances.put(instanceId, instance);
        return instance;
    }

    /** The group starts terminating {@code instanceId}: it waits in {@code Terminating:Wait}. */
    public synchronized Instance terminating(String instanceId) {
        Instance instance = find(instanceId).orElseThrow(() -> new IllegalArgumentException("Unknown instance " + instanceId));
        Instance changed = new Instance(instanceId, instance.availabilityZone(), instance.privateIp(), State.TERMINATING_WAIT);
        instances.put(instanceId, changed);
        return changed;
    }

    /** CompleteLifecycleAction by instance id (the token is not needed to find the action). */
    public Completion complete(String group, String hookName, String instanceId, String result) {
        Completion completion;
        synchronized (this) {
            Instance instance = activeAction(group, hookName, instanceId);
            if (!CONTINUE.equals(result) && !ABANDON.equals(result)) {
                throw new ValidationError("LifecycleActionResult must be CONTINUE or ABANDON, got " + result);
            }
            boolean launch = hookName.equals(launchHookName);
            State next = launch && CONTINUE.equals(result) ? State.IN_SERVICE : State.TERMINATED;
            instances.put(instanceId, new Instance(instanceId, instance.availabilityZone(), instance.privateIp(), next));
            completion = new Completion(instanceId, hookName, launch ? "launch" : "terminate", result, Instant.now());
            completions.add(completion);
        }
        listeners.forEach(listener -> listener.accept(completion));
        return completion;
    }

    /** RecordLifecycleActionHeartbeat by instance id. */
    public synchronized void heartbeat(String group, String hookName, String instanceId) {
        activeAction(group, hookName, instanceId);
        heartbeats.merge(instanceId, 1, Integer::sum);
    }

    private Instance activeAction(String group, String hookName, String instanceId) {
        if (!groupName.equals(group)) {
            throw new ValidationError("Group " + group + " not found");
        }
        if (!hookName.equals(launchHookName) && !hookName.equals(terminateHookName)) {
            throw new ValidationError("No Lifecycle Hook named " + hookName + " found for group " + group);
        }
        State waiting = hookName.equals(launchHookName) ? State.PENDING_WAIT : State.TERMINATING_WAIT;
        Instance instance = instances.get(instanceId);
        if (instance == null || instance.state() != waiting) {
            throw new ValidationError("No active Lifecycle Action found with instance ID " + instanceId);
        }
        return instance;
    }

    public synchronized Optional<Instance> find(String instanceId) {
        return Optional.ofNullable(instances.get(instanceId));
    }

    /** Instances still in the group as the API shows them (not yet terminated), in launch order. */
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

    /** Instances whose launch or terminate action nobody completed yet. */
    public synchronized List<Instance> pendingActions() {
        return instances.values().stream()
            .filter(i -> i.state() == State.PENDING_WAIT || i.state() == State.TERMINATING_WAIT).toList();
    }
}
