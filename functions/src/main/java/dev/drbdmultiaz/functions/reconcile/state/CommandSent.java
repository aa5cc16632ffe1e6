package dev.drbdmultiaz.functions.reconcile.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * Result of SendNodeCommand ({@code $.command}).
 *
 * @param step the plan's step
 * @param documentName the document sent
 * @param commandIds instance id to command id (one command per batch of at most 50 instances)
 * @param sentAt ISO-8601 instant of the first SendCommand
 */
public record CommandSent(String step, String documentName, Map<String, String> commandIds, String sentAt) {

    public CommandSent {
        commandIds = commandIds == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(commandIds));
    }
}
