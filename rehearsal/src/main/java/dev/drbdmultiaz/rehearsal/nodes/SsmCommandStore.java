package dev.drbdmultiaz.rehearsal.nodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The commands SendCommand accepted, by id and in the order they came. */
final class SsmCommandStore {

    private final Map<String, SsmCommand> commands = new ConcurrentHashMap<>();
    private final List<String> order = new ArrayList<>();

    void add(SsmCommand command) {
        commands.put(command.commandId, command);
        synchronized (order) {
            order.add(command.commandId);
        }
    }

    /** The command, or null for an unknown id. */
    SsmCommand get(String commandId) {
        return commands.get(commandId);
    }

    /** Every command, in no particular order. */
    Collection<SsmCommand> all() {
        return commands.values();
    }

    /** Every command accepted so far, in order. */
    List<CommandRecord> records() {
        List<String> ids;
        synchronized (order) {
            ids = List.copyOf(order);
        }
        return ids.stream().map(id -> commands.get(id).record()).toList();
    }

    /** Waits until every accepted command has finished on every target; false on timeout. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (commands.values().stream().anyMatch(c -> !c.record().finished())) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
