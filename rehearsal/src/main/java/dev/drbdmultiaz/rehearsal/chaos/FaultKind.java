package dev.drbdmultiaz.rehearsal.chaos;

import java.util.Locale;

/**
 * The fault catalog of a chaos run: what real AWS and real nodes do to a cluster. {@link Faults}
 * injects each; README "Chaos runs" lists them in the same words.
 */
public enum FaultKind {
    TERMINATE(false, "the group terminates a member (as after a failed health check) and launches a replacement"),
    REBOOT(false, "a member reboots: its DRBD resource is down until a reconcile brings it up, its metadata kept"),
    AGENT_OFFLINE(true, "a member's SSM agent goes offline (DRBD keeps running there), then comes back"),
    PARTITION(true, "DRBD traffic between two members is dropped both ways, then flows again"),
    ISOLATE(true, "one member is cut off from every other member, then joins again"),
    COMMAND_FAILS(false, "the next run of a mutating document on a member exits 1"),
    COMMAND_TIMES_OUT(false, "the next run of a mutating document on a member hangs until the command times out"),
    THROTTLE_AUTO_SCALING(true, "every Auto Scaling call answers Throttling for a while"),
    THROTTLE_SSM(true, "every SSM call answers ThrottlingException for a while"),
    LOST_EVENT(false, "a member is terminated and EventBridge loses its terminate and its replacement's launch event"),
    DUPLICATED_EVENT(false, "a member is terminated and EventBridge delivers its terminate and its replacement's"
        + " launch event twice"),
    READJUST_BURST(false, "five re-adjust events at once"),
    HANDLER_THROWS(false, "the next invocation of one workflow function throws in its handler, once"),
    STOP_LOCK_HOLDER(false, "the execution holding the cluster lock is stopped mid-run (StopExecution)"),
    TERMINATE_TWO(false, "two members terminated at once, as in an Availability Zone outage (only while every other"
        + " member is UpToDate)"),
    TWO_AT_ONCE(false, "two faults of this catalog at the same moment");

    private final boolean lasts;
    private final String description;

    FaultKind(boolean lasts, String description) {
        this.lasts = lasts;
        this.description = description;
    }

    /** Whether the fault stays on for its hold and is then healed (else it happens once). */
    public boolean lasts() {
        return lasts;
    }

    /** The fault in words. */
    public String description() {
        return description;
    }

    /** The name printed in plans and summaries: {@code AGENT_OFFLINE} is {@code agent-offline}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
