package dev.drbdmultiaz.rehearsal.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * Every process the rehearsal starts (moto, the Lambda host, ASL runners), so that all of them
 * are stopped when a run ends, fails or is interrupted (Ctrl-C runs the JVM's shutdown hooks).
 * Each process is stopped by its own handle, children first; nothing is killed by name.
 */
public final class ChildProcesses implements AutoCloseable {

    private static final List<ChildProcesses> OPEN = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::closeAllOpen, "rehearsal-stop-processes"));
    }

    private final Deque<Process> processes = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    public ChildProcesses() {
        synchronized (OPEN) {
            OPEN.add(this);
        }
    }

    /** Starts {@code builder} and tracks the process. */
    public Process start(ProcessBuilder builder) throws IOException {
        if (closed) {
            throw new IllegalStateException("The rehearsal is stopping; no process is started any more");
        }
        Process process = builder.start();
        processes.push(process);
        return process;
    }

    /** Stops every tracked process that still runs (descendants first, then the process). */
    @Override
    public void close() {
        closed = true;
        List<Process> all = new ArrayList<>(processes);
        for (Process process : all) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
        for (Process process : all) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        processes.clear();
        synchronized (OPEN) {
            OPEN.remove(this);
        }
    }

    private static void closeAllOpen() {
        List<ChildProcesses> open;
        synchronized (OPEN) {
            open = new ArrayList<>(OPEN);
        }
        open.forEach(ChildProcesses::close);
    }
}
