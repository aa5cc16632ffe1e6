package dev.drbdmultiaz.functions.reconcile.registry;

import dev.drbdmultiaz.model.RegistryKeys;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Layout of the registry table (one DynamoDB table per cluster, partition key {@value #KEY} of
 * type String, no sort key): the {@code lock} item, {@code member#<instanceId>} items and
 * {@code nodeid#<n>} items.
 */
public final class RegistryTable {

    /** Partition key attribute name (String). */
    public static final String KEY = RegistryKeys.PARTITION_KEY;
    /** Key of the cluster lock item. */
    public static final String LOCK = RegistryKeys.LOCK;
    static final String MEMBER_PREFIX = RegistryKeys.MEMBER_PREFIX;
    static final String NODE_ID_PREFIX = "nodeid#";

    private RegistryTable() {
    }

    public static Map<String, AttributeValue> key(String value) {
        return Map.of(KEY, s(value));
    }

    static String memberKey(String instanceId) {
        return MEMBER_PREFIX + instanceId;
    }

    static String nodeIdKey(int nodeId) {
        return NODE_ID_PREFIX + nodeId;
    }

    public static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    public static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
