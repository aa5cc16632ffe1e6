package dev.drbdmultiaz.functions.reconcile.state;

import java.util.List;

/**
 * Result of AbandonPendingLaunches ({@code $.abandon}): what the failed run did with the
 * lifecycle actions it leaves behind. None is left to time out (invariant I4).
 *
 * @param abandoned launches ABANDONed: the group replaces those instances
 * @param handedOver actions kept for a follow-up run, each with a fresh heartbeat: launches of
 *     nodes the failure does not name, and every terminate action (a departing member is let go
 *     only by a run that forgot it)
 * @param skipped instances whose action ended meanwhile
 */
public record FailureHandover(List<String> abandoned, List<String> handedOver, List<String> skipped) {

    public FailureHandover {
        abandoned = abandoned == null ? List.of() : List.copyOf(abandoned);
        handedOver = handedOver == null ? List.of() : List.copyOf(handedOver);
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }
}
