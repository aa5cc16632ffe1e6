package dev.drbdmultiaz.rehearsal.lambda.crac;

/** A hook's beforeCheckpoint failed: no snapshot, the version is not published. Hooks' failures are suppressed. */
public class CheckpointException extends Exception {

    private static final long serialVersionUID = 1L;
}
