package dev.drbdmultiaz.rehearsal.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.lambda.crac.Core;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * The Java runtime of ONE rehearsed Lambda function: a JVM whose classpath is the function's
 * code asset (the shaded functions jar from cdk.out) plus this class, whose environment is the
 * one Lambda gives that function, and which serves {@code POST /invoke} on 127.0.0.1.
 *
 * <p>The handler class is instantiated once, before the port file is written: the init phase,
 * which SnapStart runs when the version is published, with the function's runtime hooks
 * (priming) after it ({@link #init}). A handler error answers with header
 * {@code X-Amz-Function-Error: Unhandled} and {@code {"errorType","errorMessage","stackTrace"}}
 * like Lambda's Java runtime, so the state machine retries and catches it by the class name.
 *
 * <p>Arguments: {@code --port-file FILE --handler fully.qualified.Class[::method] --timeout-seconds N}.
 */
public final class LambdaHostMain {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SNAP_START = "snap-start";

    private final RequestStreamHandler handler;
    private final int timeoutMillis;

    private LambdaHostMain(RequestStreamHandler handler, int timeoutMillis) {
        this.handler = handler;
        this.timeoutMillis = timeoutMillis;
    }

    public static void main(String[] args) throws Exception {
        Path portFile = null;
        String handlerName = null;
        int timeoutSeconds = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port-file" -> portFile = Path.of(args[i + 1]);
                case "--handler" -> handlerName = args[i + 1];
                case "--timeout-seconds" -> timeoutSeconds = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
            }
        }
        if (portFile == null || handlerName == null) {
            throw new IllegalArgumentException("Usage: LambdaHostMain --port-file FILE --handler Class[::method]"
                + " --timeout-seconds N");
        }
        String className = handlerName.contains("::") ? handlerName.substring(0, handlerName.indexOf("::")) : handlerName;
        RequestStreamHandler handler = init(className, SNAP_START.equals(System.getenv("AWS_LAMBDA_INITIALIZATION_TYPE")));
        LambdaHostMain host = new LambdaHostMain(handler, timeoutSeconds * 1000);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/invoke", host::serve);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(server.getAddress().getPort()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The init phase: the handler's no-arg constructor, and for a SnapStart version its runtime
     * hooks, as Lambda runs them when it publishes the version: beforeCheckpoint, the snapshot,
     * afterRestore on the restored environment before its first event. The org.crac API the
     * functions use finds this runtime's CRaC context through {@code org.crac.Core.Compat}, which
     * must be set before org.crac loads. A failing hook fails the init, as it fails publishing.
     */
    static RequestStreamHandler init(String className, boolean snapStart) throws Exception {
        if (snapStart) {
            System.setProperty("org.crac.Core.Compat", Core.class.getPackageName());
        }
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(className).getDeclaredConstructor()
            .newInstance();
        if (snapStart) {
            Core.checkpointRestore();
        }
        return handler;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] input = exchange.getRequestBody().readAllBytes();
            String invokedArn = exchange.getRequestHeaders().getFirst("X-Invoked-Function-Arn");
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(input), output,
                    new InvocationContext(invokedArn, System.currentTimeMillis(), timeoutMillis));
            } catch (Throwable e) {
                Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null
                    ? ite.getCause() : e;
                respond(exchange, "Unhandled", error(cause));
                return;
            }
            respond(exchange, null, output.toByteArray());
        }
    }

    /** The payload Lambda's Java runtime answers for a handler's exception: errorMessage, errorType, stackTrace. */
    static byte[] error(Throwable e) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("errorMessage", e.getMessage());
        body.put("errorType", e.getClass().getName());
        ArrayNode trace = body.putArray("stackTrace");
        Arrays.stream(e.getStackTrace()).limit(8).forEach(frame -> trace.add(frame.toString()));
        return JSON.writeValueAsBytes(body);
    }

    private static void respond(HttpExchange exchange, String functionError, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (functionError != null) {
            exchange.getResponseHeaders().set("X-Amz-Function-Error", functionError);
        }
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The Context Lambda's Java runtime passes, from the environment Lambda sets. */
    private record InvocationContext(String invokedFunctionArn, long startedAt, int timeoutMillis) implements Context {

        @Override
        public String getAwsRequestId() {
            return UUID.randomUUID().toString();
        }

        @Override
        public String getLogGroupName() {
            return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME");
        }

        @Override
        public String getLogStreamName() {
            return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME");
        }

        @Override
        public String getFunctionName() {
            return System.getenv("AWS_LAMBDA_FUNCTION_NAME");
        }

        @Override
        public String getFunctionVersion() {
            return System.getenv("AWS_LAMBDA_FUNCTION_VERSION");
        }

        @Override
        public String getInvokedFunctionArn() {
            return invokedFunctionArn;
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return (int) Math.max(0, timeoutMillis - (System.currentTimeMillis() - startedAt));
        }

        @Override
        public int getMemoryLimitInMB() {
            return Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"));
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                    System.out.println(message);
                }

                @Override
                public void log(byte[] message) {
                    System.out.println(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
