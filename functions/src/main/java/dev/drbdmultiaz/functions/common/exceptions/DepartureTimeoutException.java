package dev.drbdmultiaz.functions.common.exceptions;

/**
 * The bounded wait for departing members to leave the group (AwaitDeparture) ran out of
 * attempts: their instances are still listed, so the survivors keep them in their config.
 */
public final class DepartureTimeoutException extends TerminalException {

    public DepartureTimeoutException(String message) {
        super(message);
    }
}
