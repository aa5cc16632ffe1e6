package dev.drbdmultiaz.functions.common;

import dev.drbdmultiaz.functions.common.exceptions.ConfigurationException;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a function's environment variables for its {@code Config} record, failing fast with
 * the variable's name when one is missing or malformed.
 */
public final class Env {

    private final Map<String, String> variables;

    public Env(Map<String, String> variables) {
        this.variables = Map.copyOf(Objects.requireNonNull(variables, "variables"));
    }

    /** The process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** The non-blank value of {@code name}, or a {@link ConfigurationException} naming it. */
    public String require(String name) {
        return optional(name).orElseThrow(() -> new ConfigurationException(
            "Environment variable " + name + " is missing or blank; the CDK app sets it on the function"));
    }

    /** The non-blank value of {@code name}, if set. */
    public Optional<String> optional(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /**
     * The value of {@code setting} (its variable, else its default), checked against its limit;
     * a {@link ConfigurationException} naming the variable when missing or invalid.
     */
    public String setting(ReconcileSetting setting) {
        try {
            return setting.read(name -> optional(name).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage() + "; the CDK app sets it on the function");
        }
    }

    /** {@link #setting} as a number. */
    public int settingInt(ReconcileSetting setting) {
        return Integer.parseInt(setting(setting));
    }

    /** An integer between {@code min} and {@code max}; required. */
    public int requireInt(String name, int min, int max) {
        return parseInt(name, require(name), min, max);
    }

    /** An integer between {@code min} and {@code max}, or {@code fallback} when unset. */
    public int optionalInt(String name, int fallback, int min, int max) {
        return optional(name).map(value -> parseInt(name, value, min, max)).orElse(fallback);
    }

    private static int parseInt(String name, String value, int min, int max) {
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(
                "Environment variable " + name + " must be an integer, got '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new ConfigurationException(String.format(
                "Environment variable %s must be between %d and %d, got %d", name, min, max, parsed));
        }
        return parsed;
    }
}
