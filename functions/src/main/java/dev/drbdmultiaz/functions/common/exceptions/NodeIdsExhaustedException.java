package dev.drbdmultiaz.functions.common.exceptions;

/** Every DRBD node-id 0..31 is held by a member or by a departed peer not yet forgotten. */
public final class NodeIdsExhaustedException extends TerminalException {

    public NodeIdsExhaustedException(String message) {
        super(message);
    }
}
