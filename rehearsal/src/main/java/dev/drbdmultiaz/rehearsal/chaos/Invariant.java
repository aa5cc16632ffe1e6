package dev.drbdmultiaz.rehearsal.chaos;

/**
 * The data-safety and liveness properties a chaos run checks while the faults run and after they
 * stop (README "Chaos runs" lists them in the same words).
 */
public enum Invariant {
    SINGLE_PRIMARY("never two members Primary with quorum at the same time"),
    QUORUM_ACK("no write acknowledged without quorum: every acknowledged write is on a majority of the members"),
    NO_LOST_WRITE("after healing, every acknowledged write is readable, with its checksum, on every UpToDate member"),
    LIFECYCLE("no lifecycle action expired and no member that had been UpToDate was ABANDONed"),
    METADATA("create-md never ran over existing metadata"),
    SYNC_SKIP("the initial sync was skipped only for the first, brand-new cluster"),
    CONVERGES("within the bound after the last fault, every member UpToDate and Connected, no execution RUNNING,"
        + " the lock free, no lifecycle action pending");

    private final String statement;

    Invariant(String statement) {
        this.statement = statement;
    }

    /** The invariant in words. */
    public String statement() {
        return statement;
    }

    /** The name printed in reports and summaries: {@code NO_LOST_WRITE} is {@code no-lost-write}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
