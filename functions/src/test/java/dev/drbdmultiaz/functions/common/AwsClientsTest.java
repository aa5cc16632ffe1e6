package dev.drbdmultiaz.functions.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The clients' credentials work under SnapStart, where Lambda's Java runtime offers the role's
 * credentials only through the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN; the SDK reads the same settings from the system properties
 * aws.containerCredentialsFullUri and aws.containerAuthorizationToken used here).
 */
@DisplayName("AWS clients")
class AwsClientsTest {

    private HttpServer server;

    @AfterEach
    void stop() {
        System.clearProperty("aws.containerCredentialsFullUri");
        System.clearProperty("aws.containerAuthorizationToken");
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    @DisplayName("resolve the container credentials when no access-key variable is set, sending the authorization token")
    void containerCredentials() throws Exception {
        List<String> tokens = new ArrayList<>();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/credentials", exchange -> {
            tokens.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = ("{\"AccessKeyId\":\"ASIACONTAINER\",\"SecretAccessKey\":\"secret\",\"Token\":\"session\","
                + "\"Expiration\":\"" + Instant.now().plusSeconds(3600) + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.setProperty("aws.containerCredentialsFullUri",
            "http://127.0.0.1:" + server.getAddress().getPort() + "/credentials");
        System.setProperty("aws.containerAuthorizationToken", "lambda-token");

        AwsCredentials credentials = AwsClients.credentials().resolveCredentials();

        assertEquals("ASIACONTAINER", credentials.accessKeyId());
        assertTrue(credentials instanceof AwsSessionCredentials session && session.sessionToken().equals("session"));
        assertEquals(List.of("lambda-token"), tokens);
    }
}
