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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The rehearsal's "Lambda service": a JVM with the shaded functions jar on its classpath that
 * serves {@code POST /invoke/<function>} on 127.0.0.1 the way the Lambda Invoke API does.
 *
 * <p>Each function is the unchanged handler class, instantiated ONCE with its no-arg constructor
 * (a Lambda cold start) on its first invocation and reused afterwards; it reads its configuration
 * from this process's environment, which the driver sets to the variables the CDK construct sets
 * on the functions. The request body is the task input, the response body the handler's output.
 * A handler error answers with header {@code X-Amz-Function-Error: Unhandled} and
 * {@code {"errorType","errorMessage","stackTrace"}} like Lambda's Java runtime, so the state
 * machine retries and catches it by the exception class name.
 *
 * <p>Lives in the test module (never in the Lambda jar) and uses only the JDK and what the
 * functions jar carries (aws-lambda-java-core, Jackson).
 *
 * <p>Arguments: {@code --port-file FILE} (the bound port is written there once listening) and
 * {@code --function Name=fully.qualified.HandlerClass} per function.
 */
public final class LambdaHostMain {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FUNCTION_TIMEOUT_MILLIS = 60_000;

    private final Map<String, String> handlerClasses;
    private final Map<String, RequestStreamHandler> instances = new ConcurrentHashMap<>();

    private LambdaHostMain(Map<String, String> handlerClasses) {
        this.handlerClasses = handlerClasses;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> functions = new LinkedHashMap<>();
        Path portFile = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port-file" -> portFile = Path.of(require(value, "--port-file"));
                case "--function" -> {
                    String spec = require(value, "--function");
                    int eq = spec.indexOf('=');
                    if (eq < 1) {
                        throw new IllegalArgumentException("--function needs Name=HandlerClass, got " + spec);
                    }
                    functions.put(spec.substring(0, eq), spec.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
            }
            i++;
        }
        if (portFile == null || functions.isEmpty()) {
            throw new IllegalArgumentException("Usage: LambdaHostMain --port-file FILE --function Name=Class ...");
        }
        LambdaHostMain host = new LambdaHostMain(functions);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/invoke/", host::serve);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        Path tmp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
        Files.writeString(tmp, Integer.toString(server.getAddress().getPort()));
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String require(String value, String flag) {
        if (value == null) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return value;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String name = URLDecoder.decode(exchange.getRequestURI().getPath().substring("/invoke/".length()),
                StandardCharsets.UTF_8);
            if (!"POST".equals(exchange.getRequestMethod()) || !handlerClasses.containsKey(name)) {
                respond(exchange, 404, null, error("ResourceNotFoundException",
                    "Function not found: " + name + " (known: " + handlerClasses.keySet() + ")", null));
                return;
            }
            byte[] input = exchange.getRequestBody().readAllBytes();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            try {
                handler(name).handleRequest(new ByteArrayInputStream(input), output,
                    new InvocationContext(name, System.currentTimeMillis()));
            } catch (Throwable e) {
                Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null
                    ? ite.getCause() : e;
                respond(exchange, 200, "Unhandled", error(cause.getClass().getName(), cause.getMessage(), cause));
                return;
            }
            respond(exchange, 200, null, output.toByteArray());
        }
    }

    private RequestStreamHandler handler(String name) throws ReflectiveOperationException {
        RequestStreamHandler existing = instances.get(name);
        if (existing != null) {
            return existing;
        }
        synchronized (instances) {
            existing = instances.get(name);
            if (existing == null) {
                existing = (RequestStreamHandler) Class.forName(handlerClasses.get(name))
                    .getDeclaredConstructor().newInstance();
                instances.put(name, existing);
            }
            return existing;
        }
    }

    private static byte[] error(String type, String message, Throwable e) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("errorMessage", message);
        body.put("errorType", type);
        ArrayNode trace = body.putArray("stackTrace");
        if (e != null) {
            Arrays.stream(e.getStackTrace()).limit(8).forEach(frame -> trace.add(frame.toString()));
        }
        return JSON.writeValueAsBytes(body);
    }

    private static void respond(HttpExchange exchange, int status, String functionError, byte[] body)
        throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (functionError != null) {
            exchange.getResponseHeaders().set("X-Amz-Function-Error", functionError);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The minimal Context a handler may read: ids, names, remaining time, a stdout logger. */
    private record InvocationContext(String functionName, long startedAt) implements Context {

        @Override
        public String getAwsRequestId() {
            return UUID.randomUUID().toString();
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/" + functionName;
        }

        @Override
        public String getLogStreamName() {
            return "rehearsal";
        }

        @Override
        public String getFunctionName() {
            return functionName;
        }

        @Override
        public String getFunctionVersion() {
            return "1";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:" + System.getenv("AWS_REGION") + ":123456789012:function:" + functionName + ":live";
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
            return (int) Math.max(0, FUNCTION_TIMEOUT_MILLIS - (System.currentTimeMillis() - startedAt));
        }

        @Override
        public int getMemoryLimitInMB() {
            return 1024;
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
