package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The EventBridge events Run Command sends (SSM user guide, "Monitoring Systems Manager events with
 * Amazon EventBridge" and its Run Command example events): "EC2 Command Invocation Status-change
 * Notification" at each change of an invocation's Status (detail command-id, document-name,
 * instance-id, requested-date-time, status), and "EC2 Command Status-change Notification" at each
 * change of the command's {@link CommandStatus} (detail command-id, document-name, expire-after,
 * parameters, requested-date-time, status); source aws.ssm, version 0, a fresh id, the account, the
 * region, time to the second, resources the instance ARNs.
 *
 * <p>EventBridge delivers to a Lambda target asynchronously and at least once, with no promise of
 * order or timeliness: here each event goes to the bus (the sink) from a delivery thread after a
 * delay ({@link #setDelay}, AWS time, compressed; 500 ms by default), the event built after the
 * status changed, so what SSM's API answers is already terminal when a terminal event arrives. For
 * tests and scenarios the delivery can lose events (all, one in N, or every event of one command),
 * deliver one in N twice, and wait longer. Every event SSM emitted and every delivery made are kept
 * ({@link #emitted}, {@link #delivered}).
 */
public final class SsmEvents implements AutoCloseable {

    static final String COMMAND = "EC2 Command Status-change Notification";
    static final String INVOCATION = "EC2 Command Invocation Status-change Notification";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String account;
    private volatile String region;
    private final CompressedTime time;
    /** One at a time, in change order: builds the events and decides what a command's status is now. */
    private final ExecutorService builder = Executors.newSingleThreadExecutor(SsmAgent.daemon("ssm-events"));
    private final ScheduledExecutorService delivery = Executors.newScheduledThreadPool(2, SsmAgent.daemon("ssm-event-delivery"));
    private final Map<String, String> lastCommandStatus = new ConcurrentHashMap<>();
    /** Per command, each invocation's {Status, StatusDetails} as the changes so far reported it (builder thread only). */
    private final Map<String, Map<String, String[]>> invocationStatuses = new ConcurrentHashMap<>();
    private final List<JsonNode> emitted = new CopyOnWriteArrayList<>();
    private final List<JsonNode> delivered = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Set<String> lostCommands = ConcurrentHashMap.newKeySet();
    private volatile Consumer<JsonNode> sink;
    private volatile Duration delay = Duration.ofMillis(500);
    private volatile boolean loseAll;
    private volatile int loseOneIn;
    private volatile int duplicateOneIn;

    SsmEvents(String account, String region, CompressedTime time) {
        this.account = account;
        this.region = region;
        this.time = time;
    }

    /** Where events go (the rehearsal's EventBridge bus) and the region they name; none until set, as with no rule. */
    public void deliverTo(Consumer<JsonNode> bus, String busRegion) {
        this.region = Objects.requireNonNull(busRegion, "busRegion");
        this.sink = Objects.requireNonNull(bus, "bus");
    }

    /** How long after the status change an event reaches the bus, in AWS time. */
    public void setDelay(Duration aws) {
        this.delay = Objects.requireNonNull(aws, "aws");
    }

    /** Lose every event from now on (true), or none but those the other knobs lose (false). */
    public void loseAll(boolean lose) {
        this.loseAll = lose;
    }

    /** Lose every {@code n}th event emitted (counted from the first); 0 loses none. */
    public void loseOneIn(int n) {
        this.loseOneIn = n;
    }

    /** Lose every event of the command. */
    public void loseForCommand(String commandId) {
        lostCommands.add(commandId);
    }

    /** Deliver every {@code n}th event emitted twice; 0 duplicates none. */
    public void duplicateOneIn(int n) {
        this.duplicateOneIn = n;
    }

    /** Every event SSM emitted so far, delivered or not. */
    public List<JsonNode> emitted() {
        return List.copyOf(emitted);
    }

    /** Every delivery made to the bus so far (a duplicated event twice). */
    public List<JsonNode> delivered() {
        return List.copyOf(delivered);
    }

    /** The invocation's status changed (called under its lock: only hands the work on). */
    void invocationChanged(SsmCommand command, String instanceId, String status, String details) {
        Instant at = Instant.now();
        try {
            builder.execute(() -> changed(command, instanceId, status, details, at));
        } catch (RejectedExecutionException closing) {
            // the emulator is closing: no more events
        }
    }

    /**
     * On the builder thread, in change order: the invocation's event, then the command's if its
     * status changed, derived from the invocations' statuses as these changes reported them (not
     * as they read now, which could skip the command's InProgress when its invocations are quick).
     */
    private void changed(SsmCommand command, String instanceId, String status, String details, Instant at) {
        emit(invocationEvent(command, instanceId, status, at), command.commandId);
        Map<String, String[]> statuses = invocationStatuses.computeIfAbsent(command.commandId, id -> {
            Map<String, String[]> initial = new LinkedHashMap<>();
            command.targets.forEach(target -> initial.put(target, new String[] {"Pending", "Pending"}));
            return initial;
        });
        statuses.put(instanceId, new String[] {status, details});
        CommandStatus now = CommandStatus.of(statuses.values());
        if (!now.status().equals(lastCommandStatus.put(command.commandId, now.status()))
            && !now.status().equals("Pending")) {
            emit(commandEvent(command, now.status(), at), command.commandId);
        }
    }

    private void emit(ObjectNode event, String commandId) {
        emitted.add(event);
        long n = sequence.incrementAndGet();
        int lose = loseOneIn;
        int duplicate = duplicateOneIn;
        if (loseAll || (lose > 0 && n % lose == 0) || lostCommands.contains(commandId)) {
            return;
        }
        int copies = duplicate > 0 && n % duplicate == 0 ? 2 : 1;
        long millis = time.scaledPollable(delay).toMillis();
        for (int i = 0; i < copies; i++) {
            delivery.schedule(() -> deliver(event), millis + i * 50L, TimeUnit.MILLISECONDS);
        }
    }

    private void deliver(JsonNode event) {
        Consumer<JsonNode> bus = sink;
        if (bus == null) {
            return;
        }
        delivered.add(event);
        try {
            bus.accept(event);
        } catch (RuntimeException e) {
            // Best effort: a target that fails does not stop the others' events.
        }
    }

    private ObjectNode envelope(String detailType, SsmCommand command, List<String> instances, Instant at) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", detailType);
        event.put("source", "aws.ssm");
        event.put("account", account);
        event.put("time", at.truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", region);
        var resources = event.putArray("resources");
        instances.forEach(id -> resources.add("arn:aws:ec2:" + region + ":" + account + ":instance/" + id));
        return event;
    }

    private ObjectNode invocationEvent(SsmCommand command, String instanceId, String status, Instant at) {
        ObjectNode event = envelope(INVOCATION, command, List.of(instanceId), at);
        event.putObject("detail").put("command-id", command.commandId).put("document-name", command.document.name())
            .put("instance-id", instanceId).put("requested-date-time", iso(command.requestedAt)).put("status", status);
        return event;
    }

    private ObjectNode commandEvent(SsmCommand command, String status, Instant at) {
        ObjectNode event = envelope(COMMAND, command, new ArrayList<>(command.targets), at);
        ObjectNode detail = event.putObject("detail").put("command-id", command.commandId)
            .put("document-name", command.document.name())
            .put("expire-after", iso(command.requestedAt.plusSeconds(command.deliveryTimeoutSeconds)));
        ObjectNode parameters = detail.putObject("parameters");
        command.parameters.forEach((name, values) -> {
            var array = parameters.putArray(name);
            values.forEach(array::add);
        });
        detail.put("requested-date-time", iso(command.requestedAt)).put("status", status);
        return event;
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    @Override
    public void close() {
        builder.shutdownNow();
        delivery.shutdownNow();
    }
}
