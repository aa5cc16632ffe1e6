package dev.drbdmultiaz.rehearsal.chaos;

import dev.drbdmultiaz.rehearsal.support.Net;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A daemon thread that runs one round, pauses, and runs again until closed. A round that throws
 * (a node command raced a termination) is passed to its handler and the loop goes on.
 */
final class BackgroundLoop implements AutoCloseable {

    private final Thread thread;
    private volatile boolean running = true;

    BackgroundLoop(String name, Duration pause, Runnable round, Consumer<RuntimeException> failed) {
        this.thread = new Thread(() -> {
            while (running) {
                try {
                    round.run();
                } catch (RuntimeException e) {
                    failed.accept(e);
                }
                Net.sleep(pause.toMillis());
            }
        }, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops after the round under way; waits for it up to 30 s. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
