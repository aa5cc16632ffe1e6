package dev.drbdmultiaz.rehearsal.lambda;

import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.NodeBinaries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Publishing the SnapStart functions' versions: their init phase runs before their first invocation. */
final class SnapStartVersions {

    private final Collection<FunctionSpec> functions;
    private final FunctionRuntimes runtimes;
    private final ChildProcesses processes;
    private final Executor executor;
    private volatile CompletableFuture<Void> published = CompletableFuture.completedFuture(null);

    SnapStartVersions(Collection<FunctionSpec> functions, FunctionRuntimes runtimes, ChildProcesses processes,
        Executor executor) {
        this.functions = List.copyOf(functions);
        this.runtimes = runtimes;
        this.processes = processes;
        this.executor = executor;
    }

    /** See {@link LambdaService#publishSnapStartVersions}. */
    void publish() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        functions.stream().filter(FunctionSpec::snapStart)
            .forEach(spec -> starts.add(CompletableFuture.runAsync(() -> {
                try {
                    runtimes.running(spec);
                } catch (RuntimeException e) {
                    // the first invocation starts it again and reports why it failed
                }
            }, executor)));
        // The Node runtimes' binaries too: Lambda has its runtimes ready before any function runs.
        functions.stream().filter(spec -> spec.runtime().startsWith("nodejs")).map(FunctionSpec::runtime)
            .distinct().forEach(runtime -> starts.add(CompletableFuture.runAsync(() ->
                NodeBinaries.node(Integer.parseInt(runtime.replaceAll("[^0-9]", "")), processes), executor)));
        published = CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new));
    }

    /** See {@link LambdaService#awaitVersionsPublished}. */
    void awaitPublished(Duration timeout) {
        try {
            published.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("The SnapStart versions were not published within " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Publishing the SnapStart versions failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }
}
