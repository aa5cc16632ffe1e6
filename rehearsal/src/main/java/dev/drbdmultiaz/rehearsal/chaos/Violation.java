package dev.drbdmultiaz.rehearsal.chaos;

import java.util.Locale;

/**
 * One broken invariant.
 *
 * @param invariant what broke
 * @param atSeconds when, in real seconds since the chaos phase began (after the cluster was built)
 * @param detail what was seen
 */
public record Violation(Invariant invariant, double atSeconds, String detail) {

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s at %.1f s: %s", invariant.label(), atSeconds, detail);
    }
}
