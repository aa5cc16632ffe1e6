package dev.drbdmultiaz.rehearsal.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.support.AwsAnswers;
import dev.drbdmultiaz.rehearsal.support.FormEncoding;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The Lambda API's HTTP front: Invoke ({@code POST /2015-03-31/functions/<name>/invocations},
 * RequestResponse or Event) and GetFunction / GetFunctionConfiguration, for callers holding
 * credentials the {@link CredentialAuthority} accepts.
 */
final class InvokeApi {

    static final String INVOKE_PREFIX = "/2015-03-31/functions/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CredentialAuthority authority;
    private final FunctionInvoker invoker;
    private final Executor executor;

    InvokeApi(CredentialAuthority authority, FunctionInvoker invoker, Executor executor) {
        this.authority = authority;
        this.invoker = invoker;
        this.executor = executor;
    }

    void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                Optional<CredentialAuthority.Rejection> rejected = authority.check(exchange.getRequestHeaders());
                if (rejected.isPresent()) {
                    throw new ApiError(403, rejected.get().code() + "Exception", rejected.get().message());
                }
                String rest = exchange.getRequestURI().getRawPath().substring(INVOKE_PREFIX.length());
                Map<String, String> query = FormEncoding.decode(exchange.getRequestURI().getRawQuery());
                if ("POST".equals(exchange.getRequestMethod()) && rest.endsWith("/invocations")) {
                    String name = URLDecoder.decode(rest.substring(0, rest.length() - "/invocations".length()),
                        StandardCharsets.UTF_8);
                    FunctionInvoker.Target target = invoker.target(name, query.get("Qualifier"));
                    byte[] payload = exchange.getRequestBody().readAllBytes();
                    if ("Event".equals(exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type"))) {
                        executor.execute(() -> invoker.invoke(target, payload));
                        send(exchange, 202, new byte[0], null);
                        return;
                    }
                    FunctionInvoker.Result result = invoker.invoke(target, payload);
                    exchange.getResponseHeaders().set("X-Amz-Executed-Version", "1");
                    send(exchange, 200, result.body(), result.functionError());
                    return;
                }
                if ("GET".equals(exchange.getRequestMethod())) {
                    String name = URLDecoder.decode(rest.replaceFirst("/configuration$", ""), StandardCharsets.UTF_8);
                    FunctionSpec spec = invoker.target(name, query.get("Qualifier")).spec();
                    ObjectNode configuration = JSON.createObjectNode();
                    configuration.put("FunctionName", spec.name());
                    configuration.put("FunctionArn", spec.arn());
                    configuration.put("Runtime", spec.runtime());
                    configuration.put("State", "Active");
                    configuration.put("LastUpdateStatus", "Successful");
                    ObjectNode body = JSON.createObjectNode();
                    body.set("Configuration", configuration);
                    send(exchange, 200, JSON.writeValueAsBytes(rest.endsWith("/configuration") ? configuration : body),
                        null);
                    return;
                }
                throw new ApiError(400, "InvalidRequestContentException", "The rehearsal's Lambda answers Invoke and"
                    + " GetFunction only, not " + exchange.getRequestMethod() + " " + exchange.getRequestURI());
            } catch (ApiError e) {
                ObjectNode body = JSON.createObjectNode();
                body.put("Type", e.status >= 500 ? "Service" : "User");
                body.put("message", e.getMessage());
                exchange.getResponseHeaders().set("x-amzn-ErrorType", e.code);
                send(exchange, e.status, JSON.writeValueAsBytes(body), null);
            }
        }
    }

    /** A JSON answer with a request id, and the function's error when it failed. */
    static void send(HttpExchange exchange, int status, byte[] body, String functionError) throws IOException {
        AwsAnswers.send(exchange, status, "application/json", body,
            functionError == null ? Map.of() : Map.of("X-Amz-Function-Error", functionError));
    }
}
