package dev.drbdmultiaz.functions.common.exceptions;

/**
 * DATA_VOLUME_GIB asks for smaller data volumes than the members' data already holds: a DRBD
 * resource cannot shrink below its size, and a member launched with the smaller volume could not
 * join. The run refuses before it changes anything.
 */
public final class DataVolumeShrinkRefusedException extends TerminalException {

    public DataVolumeShrinkRefusedException(String message) {
        super(message);
    }
}
