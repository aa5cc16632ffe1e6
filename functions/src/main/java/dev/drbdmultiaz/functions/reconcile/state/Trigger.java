package dev.drbdmultiaz.functions.reconcile.state;

/**
 * What started the execution: identity only, never the event's contents.
 *
 * @param source {@code deploy}, {@code launch}, {@code terminate}, {@code readjust},
 *     {@code schedule}, {@code followup} or {@code manual} ({@code null} reads as manual)
 * @param instanceId the instance a lifecycle event named, or {@code null}
 * @param attempt for a follow-up: how many failed runs in a row it follows (1 = the first), else null
 * @param backoffSeconds for a follow-up: how long it waits before it takes the lock, else null
 */
public record Trigger(String source, String instanceId, Integer attempt, Integer backoffSeconds) {

    public static final String FOLLOW_UP = "followup";
    /** The source of the deploy trigger's run ({@code cdk deploy} waits on it). */
    public static final String DEPLOY = "deploy";
    /** The source of a launch lifecycle action's trigger. */
    public static final String LAUNCH = "launch";
    /** The source of a terminate lifecycle action's trigger. */
    public static final String TERMINATE = "terminate";

    public Trigger(String source, String instanceId) {
        this(source, instanceId, null, null);
    }

    /** Failed runs in a row this execution follows: 0 unless it is a follow-up. */
    public int followUpAttempt() {
        return FOLLOW_UP.equals(source) && attempt != null ? attempt : 0;
    }
}
