package dev.drbdmultiaz.rehearsal.support;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.UUID;

/** How the emulated AWS APIs answer over HTTP: content type, a request id, the API's own headers, the body. */
public final class AwsAnswers {

    private AwsAnswers() {
    }

    /**
     * Sends one answer and its body ({@code headers} may name an error type or a function error);
     * an empty body is sent as none.
     */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body,
        Map<String, String> headers) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        headers.forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The headers of an AWS JSON protocol error answer ({@code errorType} null: none). */
    public static Map<String, String> errorType(String errorType) {
        return errorType == null ? Map.of() : Map.of("x-amzn-ErrorType", errorType);
    }
}
