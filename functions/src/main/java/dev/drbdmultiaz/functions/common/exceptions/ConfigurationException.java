package dev.drbdmultiaz.functions.common.exceptions;

/** An environment variable of the function is missing or invalid (a deployment defect). */
public final class ConfigurationException extends TerminalException {

    public ConfigurationException(String message) {
        super(message);
    }
}
