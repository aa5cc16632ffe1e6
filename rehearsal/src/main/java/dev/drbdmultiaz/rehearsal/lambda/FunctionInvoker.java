package dev.drbdmultiaz.rehearsal.lambda;

import dev.drbdmultiaz.rehearsal.support.Net;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One invocation of a function in its runtime process, as Lambda runs it: resolves the name or
 * ARN and qualifier, counts the call, and answers a run past the function's Timeout like Lambda
 * ("Task timed out", no errorType) after discarding the process. An injected failure
 * ({@link #failNext}) answers the next invocation as a handler exception without running it.
 */
final class FunctionInvoker {

    /** A function and the qualifier it was invoked with. */
    record Target(FunctionSpec spec, String invokedArn) {
    }

    /** The function's payload and, when it failed, its X-Amz-Function-Error. */
    record Result(byte[] body, String functionError) {
    }

    private final Map<String, FunctionSpec> byName = new LinkedHashMap<>();
    private final FunctionRuntimes runtimes;
    private final Map<String, Integer> invocations = new ConcurrentHashMap<>();
    private final Map<String, Integer> injectedFailures = new ConcurrentHashMap<>();

    FunctionInvoker(Iterable<FunctionSpec> functions, FunctionRuntimes runtimes) {
        functions.forEach(f -> byName.put(f.name(), f));
        this.runtimes = runtimes;
    }

    Map<String, FunctionSpec> functions() {
        return Map.copyOf(byName);
    }

    /** The functions in the template's order. */
    Collection<FunctionSpec> specs() {
        return Collections.unmodifiableCollection(byName.values());
    }

    Map<String, Integer> invocations() {
        return new TreeMap<>(invocations);
    }

    FunctionSpec function(String name) {
        FunctionSpec spec = byName.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("No function " + name + "; known: " + byName.keySet());
        }
        return spec;
    }

    /** Resolves a name, name:qualifier, ARN or qualified ARN; a qualifier parameter applies when the name has none. */
    Target target(String functionName, String qualifierParameter) {
        String name = functionName;
        String qualifier = qualifierParameter;
        if (name.startsWith("arn:")) {
            String[] parts = name.split(":");
            name = parts.length > 6 ? parts[6] : "";
            qualifier = parts.length > 7 ? parts[7] : qualifier;
        } else if (name.contains(":")) {
            qualifier = name.substring(name.indexOf(':') + 1);
            name = name.substring(0, name.indexOf(':'));
        }
        FunctionSpec spec = byName.get(name);
        if (spec == null) {
            throw new ApiError(404, "ResourceNotFoundException", "Function not found: " + functionName);
        }
        if (qualifier != null && !qualifier.equals("$LATEST") && !qualifier.equals("1") && !qualifier.equals("live")) {
            throw new ApiError(404, "ResourceNotFoundException", "Function not found: " + spec.arn() + ":" + qualifier);
        }
        return new Target(spec, spec.arn() + (qualifier == null ? "" : ":" + qualifier));
    }

    /** See {@link LambdaService#updateConfiguration}. */
    synchronized void update(FunctionSpec spec) {
        function(spec.name());
        byName.put(spec.name(), spec);
        runtimes.retire(spec.name());
    }

    /** See {@link LambdaService#failNextInvocation}. */
    void failNext(String name) {
        injectedFailures.merge(function(name).name(), 1, Integer::sum);
    }

    /** Takes one injected failure of the function, if it has one. */
    private boolean injectedFailure(String name) {
        boolean[] taken = {false};
        injectedFailures.computeIfPresent(name, (key, count) -> {
            taken[0] = true;
            return count > 1 ? count - 1 : null;
        });
        return taken[0];
    }

    Result invoke(Target target, byte[] payload) {
        FunctionSpec spec = target.spec();
        invocations.merge(spec.name(), 1, Integer::sum);
        if (injectedFailure(spec.name())) {
            try {
                return new Result(LambdaHostMain.error(new RuntimeException("Injected by the rehearsal: the handler of "
                    + spec.name() + " threw before it did anything (failNextInvocation)")), "Unhandled");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        FunctionRuntimes.Running process = runtimes.running(spec);
        try {
            HttpResponse<byte[]> response = Net.HTTP.send(HttpRequest.newBuilder(process.endpoint().resolve("/invoke"))
                    .timeout(Duration.ofSeconds(spec.timeoutSeconds()))
                    .header("X-Invoked-Function-Arn", target.invokedArn())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
            return new Result(response.body(), response.headers().firstValue("X-Amz-Function-Error").orElse(null));
        } catch (HttpTimeoutException e) {
            runtimes.discard(spec.name(), process);
            return new Result(("{\"errorMessage\":\"" + Instant.now() + " " + UUID.randomUUID()
                + " Task timed out after " + spec.timeoutSeconds() + ".00 seconds\"}").getBytes(StandardCharsets.UTF_8),
                "Unhandled");
        } catch (IOException e) {
            runtimes.discard(spec.name(), process);
            throw new ApiError(500, "ServiceException", "The runtime of " + spec.name() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(500, "ServiceException", "Interrupted");
        }
    }
}
