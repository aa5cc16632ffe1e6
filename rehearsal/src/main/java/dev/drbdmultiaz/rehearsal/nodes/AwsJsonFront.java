package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.support.AwsAnswers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The HTTP side of the SSM emulator: a server on 127.0.0.1 speaking the AWS JSON 1.1 protocol
 * ({@code X-Amz-Target: AmazonSSM.<Op>}). It refuses requests not signed with credentials the
 * authority issued, answers an {@link SsmError} as a 400 with its {@code __type}, and anything else
 * that goes wrong as a 500 InternalServerError; while {@link #setThrottled throttled}, every signed
 * call as a 400 ThrottlingException.
 */
final class AwsJsonFront implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "AmazonSSM.";
    /** The SSM API's throttling error (botocore data/ssm/2014-11-06/service-2.json: shape ThrottlingException). */
    private static final String THROTTLING = "ThrottlingException";

    private final CredentialAuthority authority;
    private final Map<String, Function<JsonNode, JsonNode>> operations;
    private final ExecutorService http = Executors.newFixedThreadPool(8, SsmAgent.daemon("ssm-http"));
    private final HttpServer server;
    private volatile boolean throttled;

    /** Starts the server at a free port; {@code operations} by name (SendCommand, ...). */
    AwsJsonFront(CredentialAuthority authority, Map<String, Function<JsonNode, JsonNode>> operations) {
        this.authority = authority;
        this.operations = Map.copyOf(operations);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the SSM emulator", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(http);
        server.start();
    }

    /** http://127.0.0.1:port */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** See {@link SsmEmulator#setThrottled}. */
    void setThrottled(boolean throttled) {
        this.throttled = throttled;
    }

    /** Stops answering; the HTTP threads are stopped by {@link #close}. */
    void stop() {
        server.stop(0);
    }

    @Override
    public void close() {
        http.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            JsonNode body;
            try {
                byte[] bytes = exchange.getRequestBody().readAllBytes();
                body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            } catch (IOException e) {
                send(exchange, 400, error("SerializationException", "The request body is not JSON"), "SerializationException");
                return;
            }
            var rejected = authority.check(exchange.getRequestHeaders());
            if (rejected.isPresent()) {
                String code = rejected.get().code() + "Exception";
                send(exchange, 400, error(code, rejected.get().message()), code);
                return;
            }
            if (throttled) {
                send(exchange, 400, error(THROTTLING, "Rate exceeded"), THROTTLING);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod()) || target == null || !target.startsWith(PREFIX)) {
                send(exchange, 400, error("UnknownOperationException", "Expected POST with X-Amz-Target AmazonSSM.<Op>"),
                    "UnknownOperationException");
                return;
            }
            try {
                Function<JsonNode, JsonNode> operation = operations.get(target.substring(PREFIX.length()));
                if (operation == null) {
                    throw new SsmError("UnknownOperationException", "The SSM emulator does not implement " + target);
                }
                send(exchange, 200, operation.apply(body), null);
            } catch (SsmError e) {
                send(exchange, 400, error(e.code(), e.getMessage()), e.code());
            } catch (RuntimeException e) {
                send(exchange, 500, error("InternalServerError", String.valueOf(e)), "InternalServerError");
            }
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, JsonNode body, String errorType) throws IOException {
        AwsAnswers.send(exchange, status, "application/x-amz-json-1.1", JSON.writeValueAsBytes(body),
            AwsAnswers.errorType(errorType));
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode node = JSON.createObjectNode();
        node.put("__type", code);
        node.put("message", message);
        return node;
    }
}
