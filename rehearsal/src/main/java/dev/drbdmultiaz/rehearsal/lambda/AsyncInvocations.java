package dev.drbdmultiaz.rehearsal.lambda;

import dev.drbdmultiaz.rehearsal.lambda.LambdaService.FunctionError;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Asynchronous invocations (InvocationType Event) with Lambda's retries: a function error is
 * retried twice, one and then two minutes later (compressed), as Lambda does ("How Lambda handles
 * errors and retries with asynchronous invocation"); then the event is dropped.
 */
final class AsyncInvocations {

    /** Lambda's waits before the second and third attempt of an asynchronous invocation. */
    static final List<Duration> ASYNC_RETRY_DELAYS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2));

    private final FunctionInvoker invoker;
    private final CompressedTime time;
    private final Executor executor;

    AsyncInvocations(FunctionInvoker invoker, CompressedTime time, Executor executor) {
        this.invoker = invoker;
        this.time = time;
        this.executor = executor;
    }

    /** @return completes with the last attempt's error, or {@code null} when an attempt succeeded */
    CompletableFuture<FunctionError> invoke(FunctionInvoker.Target target, byte[] body) {
        CompletableFuture<FunctionError> outcome = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                FunctionError last = null;
                for (int attempt = 0; attempt <= ASYNC_RETRY_DELAYS.size(); attempt++) {
                    if (attempt > 0) {
                        Net.sleep(time.scaled(ASYNC_RETRY_DELAYS.get(attempt - 1)).toMillis());
                    }
                    FunctionInvoker.Result result = invoker.invoke(target, body);
                    if (result.functionError() == null) {
                        outcome.complete(null);
                        return;
                    }
                    last = new FunctionError(target.spec().name(), null,
                        new String(result.body(), StandardCharsets.UTF_8));
                }
                outcome.complete(last);
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }
}
