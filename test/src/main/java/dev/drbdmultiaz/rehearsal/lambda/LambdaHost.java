package dev.drbdmultiaz.rehearsal.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The driver's side of the Lambda host: starts {@link LambdaHostMain} in a child JVM whose
 * classpath is the shaded functions jar (what Lambda runs) plus this module's classes (for the
 * host's main class only), with exactly the given environment, and invokes functions on it.
 */
public final class LambdaHost {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;

    private LambdaHost(URI endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Starts the host and waits until it listens.
     *
     * @param functionsJar functions/target/functions.jar
     * @param functions function name to handler class
     * @param environment the complete environment of the host (nothing else is inherited)
     * @param sandbox where the host's log ({@code lambda-host.log}) and port file go
     */
    public static LambdaHost start(ChildProcesses processes, Path functionsJar, Map<String, String> functions,
        Map<String, String> environment, Path sandbox) {
        if (!Files.isRegularFile(functionsJar)) {
            throw new IllegalStateException("The functions jar " + functionsJar + " is missing: build it with"
                + " mvn -pl functions -am package -DskipTests (bin/rehearse does)");
        }
        Path portFile = sandbox.resolve("lambda-host.port");
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx512m",
            "-cp", functionsJar.toAbsolutePath() + java.io.File.pathSeparator + ownClasses(),
            LambdaHostMain.class.getName(), "--port-file", portFile.toString()));
        functions.forEach((name, handler) -> {
            command.add("--function");
            command.add(name + "=" + handler);
        });
        ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(sandbox.resolve("lambda-host.log").toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            Files.deleteIfExists(portFile);
            process = processes.start(builder);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the Lambda host JVM", e);
        }
        Net.await(Duration.ofSeconds(60), "The Lambda host did not start (see " + sandbox.resolve("lambda-host.log")
            + ")", () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The Lambda host exited with code " + process.exitValue()
                        + "; see " + sandbox.resolve("lambda-host.log"));
                }
                return Files.isRegularFile(portFile);
            });
        try {
            return new LambdaHost(URI.create("http://127.0.0.1:" + Files.readString(portFile).trim()));
        } catch (IOException e) {
            throw new IllegalStateException("Could not read the Lambda host's port", e);
        }
    }

    /** Where this class was loaded from: the host needs LambdaHostMain from there. */
    private static String ownClasses() {
        try {
            return Path.of(LambdaHost.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * Invokes {@code function} synchronously, like the Lambda Invoke API (RequestResponse).
     *
     * @return the function's result
     * @throws FunctionError when the handler threw
     */
    public JsonNode invoke(String function, JsonNode payload) {
        try {
            HttpResponse<byte[]> response = Net.HTTP.send(HttpRequest.newBuilder(endpoint.resolve("/invoke/" + function))
                    .timeout(Duration.ofSeconds(90))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(payload))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = response.body().length == 0 ? null : JSON.readTree(response.body());
            if (response.headers().firstValue("X-Amz-Function-Error").isPresent() || response.statusCode() != 200) {
                throw new FunctionError(function, body == null ? "?" : body.path("errorType").asText("?"),
                    body == null ? "HTTP " + response.statusCode() : body.path("errorMessage").asText(""));
            }
            return body;
        } catch (IOException e) {
            throw new IllegalStateException("Could not invoke " + function + " on the Lambda host: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while invoking " + function, e);
        }
    }

    /** A handler error: its exception class and message, as Lambda reports them. */
    public static final class FunctionError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String errorType;

        FunctionError(String function, String errorType, String message) {
            super(function + " failed with " + errorType + ": " + message);
            this.errorType = errorType;
        }

        public String errorType() {
            return errorType;
        }
    }
}
