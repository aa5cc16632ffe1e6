package dev.drbdmultiaz.functions.reconcile.registry;

import static dev.drbdmultiaz.functions.reconcile.registry.RegistryTable.KEY;
import static dev.drbdmultiaz.functions.reconcile.registry.RegistryTable.n;
import static dev.drbdmultiaz.functions.reconcile.registry.RegistryTable.s;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.NodeIdsExhaustedException;
import dev.drbdmultiaz.functions.drbd.DrbdNodeSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The membership registry: a STABLE DRBD node-id per instance, never derived from inventory order.
 *
 * <p>{@code nodeid#<n>} items are the allocation: a node-id is free only while no such item exists,
 * and it is claimed by a conditional put ({@code attribute_not_exists}), so two writers can never
 * hold the same id. The item goes only when every survivor forgot the departed peer (invariant
 * I6). {@code member#<instanceId>} items carry the node-id, the status (active / departing) and
 * the last known hostname and address.
 */
public final class MembershipRegistry {

    public static final String ACTIVE = "active";
    public static final String DEPARTING = "departing";
    private static final StructuredLog LOG = StructuredLog.of(MembershipRegistry.class);

    private final DynamoDbClient dynamoDb;
    private final String tableName;
    private final Clock clock;

    public MembershipRegistry(DynamoDbClient dynamoDb, String tableName, Clock clock) {
        this.dynamoDb = Objects.requireNonNull(dynamoDb, "dynamoDb");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Every member and node-id item (strongly consistent scan; the table is small). */
    public Contents read() {
        Map<String, RegistryMember> members = new TreeMap<>();
        Map<Integer, String> owners = new TreeMap<>();
        Map<String, AttributeValue> startKey = null;
        do {
            ScanResponse page = dynamoDb.scan(ScanRequest.builder().tableName(tableName).consistentRead(true)
                .exclusiveStartKey(startKey).build());
            for (Map<String, AttributeValue> item : page.items()) {
                String key = item.get(KEY).s();
                if (key.startsWith(RegistryTable.MEMBER_PREFIX)) {
                    RegistryMember member = new RegistryMember(
                        text(item, "instanceId"), Integer.parseInt(item.get("nodeId").n()),
                        text(item, "status"), text(item, "hostname"), text(item, "address"),
                        text(item, "availabilityZone"), text(item, "unreachableSince"));
                    members.put(member.instanceId(), member);
                } else if (key.startsWith(RegistryTable.NODE_ID_PREFIX)) {
                    owners.put(Integer.parseInt(key.substring(RegistryTable.NODE_ID_PREFIX.length())),
                        text(item, "instanceId"));
                }
            }
            startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (startKey != null);
        return new Contents(members, owners);
    }

    /**
     * Claims the lowest free node-id for {@code instanceId} with a conditional put; an id whose
     * item exists (a member, or a departed peer not yet forgotten) is never free. Ids found
     * taken or claimed here are added to {@code taken}.
     */
    public int allocateNodeId(String instanceId, Set<Integer> taken) {
        for (int nodeId = DrbdNodeSpec.MIN_NODE_ID; nodeId <= DrbdNodeSpec.MAX_NODE_ID; nodeId++) {
            if (taken.contains(nodeId)) {
                continue;
            }
            int candidate = nodeId;
            try {
                dynamoDb.putItem(builder -> builder.tableName(tableName)
                    .item(Map.of(KEY, s(RegistryTable.nodeIdKey(candidate)), "instanceId", s(instanceId),
                        "nodeId", n(candidate), "allocatedAt", s(clock.instant().toString())))
                    .conditionExpression("attribute_not_exists(" + KEY + ")"));
                LOG.info("Allocated node-id", "instanceId", instanceId, "nodeId", candidate);
                taken.add(candidate);
                return candidate;
            } catch (ConditionalCheckFailedException held) {
                taken.add(candidate);
                LOG.info("Found node-id taken", "instanceId", instanceId, "nodeId", candidate);
            }
        }
        throw new NodeIdsExhaustedException(String.format(
            "Every DRBD node-id %d..%d is held by a member or by a departed peer not yet forgotten;"
                + " instance %s gets none. Let a reconcile finish forgetting departed members, or shrink"
                + " the group", DrbdNodeSpec.MIN_NODE_ID, DrbdNodeSpec.MAX_NODE_ID, instanceId));
    }

    /**
     * Adds {@code member} as active. The member item is written only when absent, so a retried
     * call cannot change a node-id.
     */
    public void addMember(RegistryMember member) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(RegistryTable.memberKey(member.instanceId())));
        item.put("instanceId", s(member.instanceId()));
        item.put("nodeId", n(member.nodeId()));
        item.put("status", s(ACTIVE));
        item.put("joinedAt", s(clock.instant().toString()));
        putIfPresent(item, "hostname", member.hostname());
        putIfPresent(item, "address", member.address());
        putIfPresent(item, "availabilityZone", member.availabilityZone());
        try {
            dynamoDb.putItem(builder -> builder.tableName(tableName).item(item)
                .conditionExpression("attribute_not_exists(" + KEY + ")"));
            LOG.info("Registered cluster member", "instanceId", member.instanceId(), "nodeId", member.nodeId());
        } catch (ConditionalCheckFailedException exists) {
            LOG.info("Found cluster member already registered", "instanceId", member.instanceId());
        }
    }

    /** Sets the member's status ({@link #ACTIVE} or {@link #DEPARTING}). */
    public void setStatus(String instanceId, String status) {
        dynamoDb.updateItem(builder -> builder.tableName(tableName)
            .key(RegistryTable.key(RegistryTable.memberKey(instanceId)))
            .updateExpression("SET #status = :status, updatedAt = :now")
            .conditionExpression("attribute_exists(" + KEY + ")")
            .expressionAttributeNames(Map.of("#status", "status"))
            .expressionAttributeValues(Map.of(":status", s(status), ":now", s(clock.instant().toString()))));
        LOG.info("Changed cluster member status", "instanceId", instanceId, "status", status);
    }

    /** Records when a run first went on without the member; an earlier record stays. */
    public void markUnreachable(String instanceId, Instant since) {
        try {
            dynamoDb.updateItem(builder -> builder.tableName(tableName)
                .key(RegistryTable.key(RegistryTable.memberKey(instanceId)))
                .updateExpression("SET unreachableSince = :since, updatedAt = :now")
                .conditionExpression("attribute_exists(" + KEY + ") AND attribute_not_exists(unreachableSince)")
                .expressionAttributeValues(Map.of(":since", s(since.toString()), ":now", s(clock.instant().toString()))));
            LOG.warn("Recorded cluster member unreachable", "instanceId", instanceId, "since", since.toString());
        } catch (ConditionalCheckFailedException e) {
            LOG.info("Found cluster member already recorded unreachable", "instanceId", instanceId);
        }
    }

    /** Forgets that the member was unreachable: its agent answers again. */
    public void clearUnreachable(String instanceId) {
        dynamoDb.updateItem(builder -> builder.tableName(tableName)
            .key(RegistryTable.key(RegistryTable.memberKey(instanceId)))
            .updateExpression("REMOVE unreachableSince SET updatedAt = :now")
            .expressionAttributeValues(Map.of(":now", s(clock.instant().toString()))));
        LOG.info("Recorded cluster member reachable again", "instanceId", instanceId);
    }

    /** Records the hostname and address the node reported. */
    public void recordEndpoint(String instanceId, String hostname, String address) {
        dynamoDb.updateItem(builder -> builder.tableName(tableName)
            .key(RegistryTable.key(RegistryTable.memberKey(instanceId)))
            .updateExpression("SET hostname = :hostname, address = :address, updatedAt = :now")
            .conditionExpression("attribute_exists(" + KEY + ")")
            .expressionAttributeValues(Map.of(":hostname", s(hostname), ":address", s(address),
                ":now", s(clock.instant().toString()))));
        LOG.info("Recorded cluster member endpoint", "instanceId", instanceId, "hostname", hostname,
            "address", address);
    }

    /**
     * Removes a departed member and frees its node-id. Call only after every survivor forgot the
     * peer (I6). The node-id item is deleted only while it still names {@code instanceId}.
     */
    public void release(String instanceId, int nodeId) {
        try {
            dynamoDb.deleteItem(builder -> builder.tableName(tableName)
                .key(RegistryTable.key(RegistryTable.nodeIdKey(nodeId)))
                .conditionExpression("attribute_not_exists(" + KEY + ") OR instanceId = :instance")
                .expressionAttributeValues(Map.of(":instance", s(instanceId))));
        } catch (ConditionalCheckFailedException other) {
            LOG.warn("Kept node-id held by another instance", "instanceId", instanceId, "nodeId", nodeId);
        }
        dynamoDb.deleteItem(builder -> builder.tableName(tableName)
            .key(RegistryTable.key(RegistryTable.memberKey(instanceId))));
        LOG.info("Released departed member and its node-id", "instanceId", instanceId, "nodeId", nodeId);
    }

    private static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    /**
     * What the registry holds.
     *
     * @param members member items by instance id
     * @param nodeIdOwners node-id to the instance its item names
     */
    public record Contents(Map<String, RegistryMember> members, Map<Integer, String> nodeIdOwners) {

        public Contents {
            members = Map.copyOf(members);
            nodeIdOwners = Map.copyOf(nodeIdOwners);
        }

        /** The node-id whose item names {@code instanceId} (a claim whose member item is missing). */
        public java.util.Optional<Integer> nodeIdClaimedBy(String instanceId) {
            return nodeIdOwners.entrySet().stream()
                .filter(e -> instanceId.equals(e.getValue()))
                .map(Map.Entry::getKey)
                .min(Integer::compare);
        }
    }

    /**
     * A member item.
     *
     * @param instanceId EC2 instance id
     * @param nodeId its stable node-id
     * @param status {@link #ACTIVE} or {@link #DEPARTING}
     * @param hostname last known hostname, or {@code null}
     * @param address last known address, or {@code null}
     * @param availabilityZone its AZ, or {@code null}
     * @param unreachableSince when a run first went on without it (agent offline), or {@code null}
     */
    public record RegistryMember(String instanceId, int nodeId, String status, String hostname, String address,
        String availabilityZone, String unreachableSince) {

        public RegistryMember(String instanceId, int nodeId, String status, String hostname, String address,
            String availabilityZone) {
            this(instanceId, nodeId, status, hostname, address, availabilityZone, null);
        }
    }
}
