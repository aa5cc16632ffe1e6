package dev.drbdmultiaz.rehearsal.lambda.crac;

/** A hook's afterRestore failed: the restored environment is unusable. Hooks' failures are suppressed. */
public class RestoreException extends Exception {

    private static final long serialVersionUID = 1L;
}
