package dev.drbdmultiaz.functions.reconcile.nodes;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.registry.RegistryTable;
import dev.drbdmultiaz.functions.reconcile.state.CommandRound;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The node steps in flight, in the registry table: a {@code round#...} item per step (the
 * {@link CommandRound}, the task token of the execution that waits for it, and the token that
 * claimed its completion) and a {@code command#<commandId>} item that leads from an SSM event to
 * its round. Both expire a day after the send ({@value #EXPIRES_AT}, the table's TTL attribute).
 *
 * <p>A step is completed once per token: {@link #claim} lets exactly one of the completion
 * function (on the command's event, delivered at least once) and the sender's own check (the
 * command may end before its event can find the round) report it.
 */
public final class CommandRounds {

    /** The table's time-to-live attribute (epoch seconds). */
    public static final String EXPIRES_AT = "expiresAt";
    static final String COMMAND_PREFIX = "command#";
    static final Duration KEPT_FOR = Duration.ofDays(1);
    private static final String ROUND = "round";
    private static final String TASK_TOKEN = "taskToken";
    private static final String CLAIMED_BY = "claimedBy";

    /**
     * A stored round.
     *
     * @param round the round
     * @param taskToken the token of the task that waits for it
     */
    public record Stored(CommandRound round, String taskToken) {
    }

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;

    public CommandRounds(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Stores {@code round} with the token that waits for it, then the way from each command to it. */
    public void record(CommandRound round, String taskToken) {
        long expiresAt = clock.instant().plus(KEPT_FOR).getEpochSecond();
        Map<String, AttributeValue> item = new HashMap<>(RegistryTable.key(round.key()));
        item.put(ROUND, RegistryTable.s(Json.write(round)));
        item.put(TASK_TOKEN, RegistryTable.s(taskToken));
        item.put(EXPIRES_AT, RegistryTable.n(expiresAt));
        dynamoDb.putItem(PutItemRequest.builder().tableName(tableName).item(item).build());
        for (String commandId : new java.util.TreeSet<>(round.commandIds().values())) {
            Map<String, AttributeValue> pointer = new HashMap<>(RegistryTable.key(COMMAND_PREFIX + commandId));
            pointer.put(ROUND, RegistryTable.s(round.key()));
            pointer.put(EXPIRES_AT, RegistryTable.n(expiresAt));
            dynamoDb.putItem(PutItemRequest.builder().tableName(tableName).item(pointer).build());
        }
    }

    /** A retried send: the round's command was sent already; the new attempt's token waits now. */
    public void replaceToken(String key, String taskToken) {
        dynamoDb.updateItem(UpdateItemRequest.builder().tableName(tableName).key(RegistryTable.key(key))
            .updateExpression("SET " + TASK_TOKEN + " = :token")
            .expressionAttributeValues(Map.of(":token", RegistryTable.s(taskToken)))
            .build());
    }

    /** The round stored under {@code key}. */
    public Optional<Stored> find(String key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(GetItemRequest.builder().tableName(tableName)
            .key(RegistryTable.key(key)).consistentRead(true).build()).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Stored(parse(key, item.get(ROUND)), item.get(TASK_TOKEN).s()));
    }

    /** The round that sent {@code commandId}, if this cluster's workflow sent it. */
    public Optional<Stored> findByCommand(String commandId) {
        Map<String, AttributeValue> pointer = dynamoDb.getItem(GetItemRequest.builder().tableName(tableName)
            .key(RegistryTable.key(COMMAND_PREFIX + commandId)).consistentRead(true).build()).item();
        if (pointer == null || pointer.isEmpty()) {
            return Optional.empty();
        }
        return find(pointer.get(ROUND).s());
    }

    /** Whether this call may report the round to {@code taskToken}: true once per token. */
    public boolean claim(String key, String taskToken) {
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(tableName).key(RegistryTable.key(key))
                .updateExpression("SET " + CLAIMED_BY + " = :token")
                .conditionExpression(TASK_TOKEN + " = :token AND (attribute_not_exists(" + CLAIMED_BY + ") OR "
                    + CLAIMED_BY + " <> :token)")
                .expressionAttributeValues(Map.of(":token", RegistryTable.s(taskToken)))
                .build());
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        }
    }

    private static CommandRound parse(String key, AttributeValue value) {
        try {
            return Json.mapper().readValue(value.s(), CommandRound.class);
        } catch (JsonProcessingException | NullPointerException e) {
            throw new InvalidStateDocumentException("The registry item " + key + " does not hold a command round", e);
        }
    }
}
