package dev.drbdmultiaz.model;

/**
 * Alarms raised by a function's log line: the function logs {@link #FIELD} set to the alarm's name,
 * and a metric filter on its log group counts those lines. Defined once for both sides.
 */
public final class LoggedAlarms {

    /** The JSON log field whose value names the alarm. */
    public static final String FIELD = "alarm";
    /** A member stays unreachable past drbd:evictAfterMinutes, but replacing it would cost the UpToDate majority. */
    public static final String EVICTION_HELD = "EvictionHeld";
    /** A departed member's data volume is kept: it may hold data no survivor has (or its owner is unknown). */
    public static final String DATA_VOLUMES_KEPT = "DataVolumesKept";

    private LoggedAlarms() {
    }
}
