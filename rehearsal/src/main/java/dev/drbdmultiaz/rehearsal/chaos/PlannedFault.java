package dev.drbdmultiaz.rehearsal.chaos;

import java.time.Duration;
import java.util.Locale;

/**
 * One fault of a plan. Members are named by position ({@code member}, {@code other}: taken modulo
 * the members alive when the fault is injected), so a plan stays meaningful when the shrinker drops
 * faults before it.
 *
 * @param kind what is done
 * @param after AWS time after the previous fault (0: at the same moment as the previous one)
 * @param member the member it hits
 * @param other the second member of a partition, or which document, function or API it hits
 * @param hold how long a fault that lasts stays on (AWS time); ignored by one-shot faults
 */
public record PlannedFault(FaultKind kind, Duration after, int member, int other, Duration hold) {

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "+%ds %s(member %d, other %d%s)", after.toSeconds(), kind.label(), member,
            other, kind.lasts() ? ", hold " + hold.toSeconds() + "s" : "");
    }
}
