package dev.drbdmultiaz.functions.reconcile.lock;

import static dev.drbdmultiaz.functions.reconcile.registry.RegistryTable.n;
import static dev.drbdmultiaz.functions.reconcile.registry.RegistryTable.s;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.LockContendedException;
import dev.drbdmultiaz.functions.reconcile.registry.RegistryTable;
import dev.drbdmultiaz.functions.reconcile.state.LockState;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.InvalidArnException;

/**
 * One reconcile at a time per cluster (invariant I5), as one DynamoDB item changed only by
 * conditional writes.
 *
 * <p>Item {@code lock}: {@code holder} (execution ARN, absent when free), {@code generation}
 * (bumped by every acquire, takeover and coalesced trigger) and {@code dirty}. A trigger that finds
 * the lock held by a running execution sets {@code dirty}; the holder sees it at release and runs
 * the reconcile once more instead of releasing (coalescing: a burst of triggers gives one extra
 * round, never a lost instance). A holder that is no longer RUNNING is replaced (takeover).
 * TriggerReconcile takes the lock for the execution it is about to start ({@link
 * #acquireForStart}), so a burst of events starts one execution, not one each.
 */
public final class ClusterLock {

    static final int MAX_ATTEMPTS = 5;
    /** How long a holder TriggerReconcile took the lock for counts as live before its execution exists. */
    static final Duration START_GRACE = Duration.ofSeconds(60);
    private static final StructuredLog LOG = StructuredLog.of(ClusterLock.class);

    /** Lock attribute: the triggers coalesced into the holder (string set). */
    static final String COALESCED = "coalesced";
    /** Condition: {@code :me} holds the lock and no trigger was coalesced into it. */
    private static final String HELD_BY_ME_NOTHING_COALESCED =
        "holder = :me AND (attribute_not_exists(dirty) OR dirty = :false)";
    /** What a coalesced trigger is recorded as when it cannot be told (never covered). */
    public static final String UNKNOWN_TRIGGER = "unknown";

    private final DynamoDbClient dynamoDb;
    private final SfnClient sfn;
    private final String tableName;
    private final Clock clock;

    public ClusterLock(DynamoDbClient dynamoDb, SfnClient sfn, String tableName, Clock clock) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.sfn = Objects.requireNonNull(sfn, "sfn");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Takes the lock for {@code executionArn}, or coalesces into the running holder. */
    public LockState acquire(String executionArn) {
        return acquire(executionArn, () -> UNKNOWN_TRIGGER);
    }

    /**
     * Takes the lock for {@code executionArn}, or coalesces into the live holder and records
     * {@code trigger} (asked only then: "launch i-…", "readjust", …) among the holder's coalesced
     * triggers, which {@link #release} reads.
     *
     * <p>Re-entrant: the holder taking it again (an execution whose lock TriggerReconcile took
     * for it, see {@link #acquireForStart}) keeps the triggers coalesced into it meanwhile.
     */
    public LockState acquire(String executionArn, Supplier<String> trigger) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                long generation = update(UpdateItemRequest.builder()
                    // dirty is false whenever holder is absent (release and takeover reset it), so
                    // if_not_exists only keeps what was coalesced into this very holder.
                    .updateExpression("SET holder = :me, dirty = if_not_exists(dirty, :false), acquiredAt = :now"
                        + " ADD generation :one")
                    .conditionExpression("attribute_not_exists(holder) OR holder = :me")
                    .expressionAttributeValues(Map.of(":me", s(executionArn), ":false", AttributeValue.fromBool(false),
                        ":now", s(clock.instant().toString()), ":one", n(1))));
                LOG.info("Acquired cluster lock", "executionArn", executionArn, "generation", generation);
                return new LockState(true, generation, executionArn);
            } catch (ConditionalCheckFailedException held) {
                Map<String, AttributeValue> lockItem = lockItem();
                String holder = holderOf(lockItem);
                if (holder == null) {
                    continue;
                }
                if (isLive(holder, lockItem)) {
                    try {
                        long generation = update(UpdateItemRequest.builder()
                            .updateExpression("SET dirty = :true ADD generation :one, " + COALESCED + " :trigger")
                            .conditionExpression("holder = :holder")
                            .expressionAttributeValues(Map.of(":holder", s(holder),
                                ":true", AttributeValue.fromBool(true), ":one", n(1),
                                ":trigger", AttributeValue.fromSs(List.of(trigger.get())))));
                        LOG.info("Coalesced trigger into running reconcile", "executionArn", executionArn,
                            "holderExecutionArn", holder, "generation", generation);
                        return new LockState(false, generation, holder);
                    } catch (ConditionalCheckFailedException changed) {
                        continue;
                    }
                }
                try {
                    long generation = update(UpdateItemRequest.builder()
                        .updateExpression("SET holder = :me, dirty = :false, acquiredAt = :now,"
                            + " previousHolder = :stale REMOVE " + COALESCED + " ADD generation :one")
                        .conditionExpression("holder = :stale")
                        .expressionAttributeValues(Map.of(":me", s(executionArn), ":stale", s(holder),
                            ":false", AttributeValue.fromBool(false), ":now", s(clock.instant().toString()),
                            ":one", n(1))));
                    LOG.warn("Took over stale cluster lock", "executionArn", executionArn,
                        "staleHolderExecutionArn", holder, "generation", generation);
                    return new LockState(true, generation, executionArn);
                } catch (ConditionalCheckFailedException changed) {
                    continue;
                }
            }
        }
        throw new LockContendedException("The cluster lock changed under " + MAX_ATTEMPTS
            + " attempts to acquire it in table " + tableName);
    }

    /**
     * TriggerReconcile, before it starts execution {@code executionArn}: takes the lock for it, so
     * that a burst of events starts one execution and coalesces the rest into it ({@code trigger}
     * as {@link #coalescedName}) without starting an execution each. The execution's own
     * AcquireClusterLock then finds itself the holder. Until the execution exists, the holder
     * counts as live for {@link #START_GRACE} after it was taken.
     */
    public LockState acquireForStart(String executionArn, String trigger) {
        return acquire(executionArn, () -> trigger);
    }

    /**
     * TriggerReconcile, when StartExecution of {@code executionArn} failed after it took the lock:
     * frees the lock unless a trigger was coalesced into it meanwhile (then the lock stays, and
     * the retried event starts the execution that reconciles it; if every retry fails the event
     * reaches the dead-letter queue and its alarm). Answers whether the lock was freed.
     */
    public boolean releaseUnstarted(String executionArn) {
        try {
            free(executionArn, HELD_BY_ME_NOTHING_COALESCED, Map.of());
            LOG.warn("Released the cluster lock of an execution that did not start", "executionArn", executionArn);
            return true;
        } catch (ConditionalCheckFailedException heldOrCoalesced) {
            LOG.warn("Kept the cluster lock of an execution that did not start: a trigger was coalesced into it"
                + " (or another execution holds it)", "executionArn", executionArn);
            return false;
        }
    }

    /**
     * Releases the lock held by {@code executionArn}. After success, a trigger coalesced while it
     * ran makes it keep the lock and answer {@code rerun}; after a failure it always releases and
     * answers {@code followUp} for a coalesced trigger, which must not be lost with the failure.
     */
    public ReleaseResult release(String executionArn, boolean afterFailure) {
        return release(executionArn, afterFailure, coalesced -> false);
    }

    /**
     * As {@link #release(String, boolean)}, but after success a holder whose coalesced triggers
     * are all {@code covered} (this run already did what they ask for) releases instead of
     * rerunning.
     */
    public ReleaseResult release(String executionArn, boolean afterFailure, Predicate<String> covered) {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                Map<String, AttributeValue> old = free(executionArn,
                    afterFailure ? "holder = :me" : HELD_BY_ME_NOTHING_COALESCED, Map.of());
                boolean dirty = old != null && old.containsKey("dirty") && Boolean.TRUE.equals(old.get("dirty").bool());
                if (afterFailure && dirty) {
                    LOG.warn("Released cluster lock after failure with coalesced triggers pending: a follow-up"
                        + " reconciles them", "executionArn", executionArn);
                } else {
                    LOG.info("Released cluster lock", "executionArn", executionArn, "afterFailure", afterFailure);
                }
                return new ReleaseResult(true, false, afterFailure && dirty);
            } catch (ConditionalCheckFailedException notReleased) {
                Map<String, AttributeValue> lockItem = lockItem();
                String holder = holderOf(lockItem);
                if (!executionArn.equals(holder)) {
                    LOG.warn("Found cluster lock held by another execution", "executionArn", executionArn,
                        "holderExecutionArn", holder);
                    return new ReleaseResult(false, false, false);
                }
                List<String> coalesced = coalescedOf(lockItem);
                if (!coalesced.isEmpty() && coalesced.stream().allMatch(covered)) {
                    try {
                        free(executionArn, "holder = :me AND dirty = :true AND " + COALESCED + " = :seen",
                            Map.of(":true", AttributeValue.fromBool(true), ":seen", AttributeValue.fromSs(coalesced)));
                        LOG.info("Released cluster lock: this run covered every coalesced trigger", "executionArn",
                            executionArn, "coalesced", coalesced);
                        return new ReleaseResult(true, false, false);
                    } catch (ConditionalCheckFailedException anotherTrigger) {
                        continue;
                    }
                }
                try {
                    dynamoDb.updateItem(UpdateItemRequest.builder()
                        .tableName(tableName)
                        .key(RegistryTable.key(RegistryTable.LOCK))
                        .updateExpression("REMOVE " + COALESCED + " SET dirty = :false")
                        .conditionExpression("holder = :me AND dirty = :true")
                        .expressionAttributeValues(Map.of(":me", s(executionArn),
                            ":false", AttributeValue.fromBool(false), ":true", AttributeValue.fromBool(true)))
                        .build());
                    LOG.info("Kept cluster lock to reconcile coalesced triggers", "executionArn", executionArn);
                    return new ReleaseResult(false, true, false);
                } catch (ConditionalCheckFailedException changed) {
                    continue;
                }
            }
        }
        throw new LockContendedException("The cluster lock changed under " + MAX_ATTEMPTS
            + " attempts to release it in table " + tableName);
    }

    /**
     * Frees the lock of {@code executionArn} if {@code condition} holds (it may use {@code :me},
     * {@code :false} and the {@code values} given) and forgets what was coalesced into it; answers
     * the lock item as it was.
     */
    private Map<String, AttributeValue> free(String executionArn, String condition,
        Map<String, AttributeValue> values) {
        Map<String, AttributeValue> bound = new HashMap<>(values);
        bound.put(":me", s(executionArn));
        bound.put(":false", AttributeValue.fromBool(false));
        bound.put(":now", s(clock.instant().toString()));
        return dynamoDb.updateItem(UpdateItemRequest.builder()
            .tableName(tableName)
            .key(RegistryTable.key(RegistryTable.LOCK))
            .updateExpression("REMOVE holder, " + COALESCED
                + " SET dirty = :false, releasedAt = :now, lastHolder = :me")
            .conditionExpression(condition)
            .expressionAttributeValues(bound)
            .returnValues(ReturnValue.ALL_OLD)
            .build()).attributes();
    }

    private long update(UpdateItemRequest.Builder request) {
        Map<String, AttributeValue> updated = dynamoDb.updateItem(request
            .tableName(tableName)
            .key(RegistryTable.key(RegistryTable.LOCK))
            .returnValues(ReturnValue.UPDATED_NEW)
            .build()).attributes();
        return Long.parseLong(updated.get("generation").n());
    }

    /**
     * What started {@code executionArn}, as a coalesced trigger is recorded: "{@code <source>
     * <instanceId>}", "{@code <source>}" without an instance, {@link #UNKNOWN_TRIGGER} when its input
     * cannot be read.
     */
    public String triggerOf(String executionArn) {
        try {
            JsonNode trigger = Json.readTree(sfn.describeExecution(b -> b.executionArn(executionArn)).input())
                .path("trigger");
            return coalescedName(trigger.path("source").asText("manual"), trigger.path("instanceId").asText(""));
        } catch (JsonProcessingException | SdkException e) {
            LOG.warn("Could not read the trigger of a coalesced execution", "executionArn", executionArn,
                "error", e.getMessage());
            return UNKNOWN_TRIGGER;
        }
    }

    /** A trigger as the holder's coalesced set records it: "{@code <source> <instanceId>}" or "{@code <source>}". */
    public static String coalescedName(String source, String instanceId) {
        return instanceId == null || instanceId.isEmpty() ? source : source + " " + instanceId;
    }

    private Map<String, AttributeValue> lockItem() {
        Map<String, AttributeValue> item = dynamoDb.getItem(builder -> builder
            .tableName(tableName)
            .key(RegistryTable.key(RegistryTable.LOCK))
            .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private static String holderOf(Map<String, AttributeValue> lockItem) {
        AttributeValue holder = lockItem.get("holder");
        return holder == null ? null : holder.s();
    }

    /** The triggers coalesced into the holder of {@code lockItem} since it last read them. */
    private static List<String> coalescedOf(Map<String, AttributeValue> lockItem) {
        AttributeValue set = lockItem.get(COALESCED);
        return set == null || !set.hasSs() ? List.of() : List.copyOf(new java.util.TreeSet<>(set.ss()));
    }

    /**
     * Whether {@code holder} still runs, or, not started yet, was taken for it by TriggerReconcile
     * within {@link #START_GRACE} (StartExecution follows the take within milliseconds; a trigger
     * that died between them leaves a holder that never starts, taken over after the grace).
     */
    private boolean isLive(String holder, Map<String, AttributeValue> lockItem) {
        try {
            ExecutionStatus status = sfn.describeExecution(builder -> builder.executionArn(holder)).status();
            return status == ExecutionStatus.RUNNING || status == ExecutionStatus.PENDING_REDRIVE;
        } catch (InvalidArnException malformed) {
            return false;
        } catch (ExecutionDoesNotExistException notStartedYet) {
            AttributeValue acquiredAt = lockItem.get("acquiredAt");
            if (acquiredAt == null || acquiredAt.s() == null) {
                return false;
            }
            try {
                return clock.instant().isBefore(Instant.parse(acquiredAt.s()).plus(START_GRACE));
            } catch (DateTimeParseException unreadable) {
                return false;
            }
        }
    }

    /**
     * Result of ReleaseClusterLock.
     *
     * @param released the lock is free now
     * @param rerun a trigger was coalesced while this execution ran: it keeps the lock and
     *     reconciles again (RerunRequested)
     * @param followUp (failure path) a trigger was coalesced into the failed run, or it handed
     *     lifecycle actions over: a follow-up run must start (FollowUpRequested?)
     */
    public record ReleaseResult(boolean released, boolean rerun, boolean followUp) {

        /** The same result, with a follow-up also for {@code handedOver} actions. */
        public ReleaseResult withFollowUpFor(java.util.List<String> handedOver) {
            return new ReleaseResult(released, rerun, followUp || !handedOver.isEmpty());
        }
    }
}
