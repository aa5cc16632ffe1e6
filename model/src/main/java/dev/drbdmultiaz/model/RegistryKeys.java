package dev.drbdmultiaz.model;

/**
 * The registry table's key: defined once for the construct that creates the table, the IAM
 * conditions that scope access to single items, and the functions that read and write them.
 */
public final class RegistryKeys {

    /** Partition key attribute (String); the table has no sort key. */
    public static final String PARTITION_KEY = "pk";
    /** Key of the cluster lock item. */
    public static final String LOCK = "lock";
    /** Key prefix of a member item: {@code member#<instance-id>}. */
    public static final String MEMBER_PREFIX = "member#";

    private RegistryKeys() {
    }
}
