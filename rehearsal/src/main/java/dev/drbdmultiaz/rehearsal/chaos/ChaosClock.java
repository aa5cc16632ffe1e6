package dev.drbdmultiaz.rehearsal.chaos;

/** Real seconds since the chaos phase began: the time every violation is stamped with. */
final class ChaosClock {

    private final long startNanos = System.nanoTime();

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
