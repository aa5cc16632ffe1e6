package dev.drbdmultiaz.rehearsal.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The container-credentials endpoint a SnapStart function gets its role's credentials from
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN): it checks the
 * function's token and hands out expiring temporary credentials.
 */
final class ContainerCredentials {

    static final String PATH = "/container-credentials/";
    /** Container credentials live short here (harsher than Lambda's hours): a client must refresh them. */
    static final Duration CONTAINER_CREDENTIAL_LIFETIME = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CredentialAuthority authority;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    ContainerCredentials(CredentialAuthority authority) {
        this.authority = authority;
    }

    /** The function's authorization token, the same for all its processes. */
    String token(String functionName) {
        return tokens.computeIfAbsent(functionName, n -> UUID.randomUUID().toString());
    }

    /** The function's AWS_CONTAINER_CREDENTIALS_FULL_URI on the Lambda service's endpoint. */
    static String uri(URI serviceEndpoint, String functionName) {
        return serviceEndpoint + PATH + functionName;
    }

    void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String function = exchange.getRequestURI().getPath().substring(PATH.length());
            String expected = tokens.get(function);
            String presented = exchange.getRequestHeaders().getFirst("Authorization");
            if (expected == null || !expected.equals(presented)) {
                InvokeApi.send(exchange, 403,
                    "{\"message\":\"invalid authorization token\"}".getBytes(StandardCharsets.UTF_8), null);
                return;
            }
            CredentialAuthority.Issued issued = authority.issue(function, CONTAINER_CREDENTIAL_LIFETIME);
            ObjectNode body = JSON.createObjectNode();
            body.put("AccessKeyId", issued.accessKeyId());
            body.put("SecretAccessKey", issued.secretAccessKey());
            body.put("Token", issued.sessionToken());
            body.put("Expiration", issued.expiration().toString());
            InvokeApi.send(exchange, 200, JSON.writeValueAsBytes(body), null);
        }
    }
}
