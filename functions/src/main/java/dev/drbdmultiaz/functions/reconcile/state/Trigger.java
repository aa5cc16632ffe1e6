package dev.drbdmultiaz.functions.reconcile.state;

/**
 * What started the execution: identity only, never the event's contents.
 *
 * @param source {@code deploy}, {@code launch}, {@code terminate}, {@code readjust},
 *     {@code schedule} or {@code manual} ({@code null} reads as manual)
 * @param instanceId the instance a lifecycle event named, or {@code null}
 */
public record Trigger(String source, String instanceId) {
}
