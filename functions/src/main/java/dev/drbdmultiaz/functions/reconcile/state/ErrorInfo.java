package dev.drbdmultiaz.functions.reconcile.state;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a Catch (or the NodeStepFailed state) recorded at {@code $.error}.
 *
 * @param error the error name: an exception class name, {@code NodeStepFailed}, {@code AgentsOffline}, …
 * @param cause the cause text
 */
public record ErrorInfo(@JsonProperty("Error") String error, @JsonProperty("Cause") String cause) {

    /** Whether the error name is {@code simpleName}, bare or as a class name's last segment. */
    public boolean is(String simpleName) {
        return error != null && (error.equals(simpleName) || error.endsWith("." + simpleName));
    }
}
