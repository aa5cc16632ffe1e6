package dev.drbdmultiaz.functions.common.priming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.common.Json;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

@DisplayName("PrimingResource")
class PrimingResourceTest {

    private static DynamoDbClient dynamoDbAt(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClient(UrlConnectionHttpClient.create()).build();
    }

    @Test
    @DisplayName("a failing priming request is logged, does not fail the checkpoint, and the next one still runs")
    void failureDoesNotFailCheckpoint() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        List<String> ran = new ArrayList<>();
        Primer unreachable = Primer.describeTable(dynamoDbAt(URI.create("http://127.0.0.1:" + closedPort)), "t");
        Primer failing = new Primer("test:Failing", () -> {
            ran.add("failing");
            unreachable.request().run();
        });
        Primer next = new Primer("test:Next", () -> ran.add("next"));
        new PrimingResource(() -> List.of(failing, next)).beforeCheckpoint(null);
        assertEquals(List.of("failing", "next"), ran);
        new PrimingResource(() -> {
            throw new IllegalStateException("Environment variable CLUSTER_TABLE_NAME is missing");
        }).beforeCheckpoint(null);
    }

    @Test
    @DisplayName("the state document maps onto ReconcileState with the parts every task reads")
    void stateDocumentRoundTrip() throws Exception {
        String written = PrimingResource.roundTripStateDocument();
        assertNotNull(written, "the document is on the classpath and maps onto the records");
        ReconcileState state = Json.mapper().readValue(written, ReconcileState.class);
        assertEquals(3, state.cluster().members().size());
        assertNotNull(state.lock());
        assertNotNull(state.plan());
        assertNotNull(state.collected());
    }

    /**
     * A server that answers every request with a small DynamoDB-like error and keeps its side of
     * the connection open: only the client can close it. Completes with true once the client did.
     */
    private static CompletableFuture<Boolean> serveOnceAndWatch(ServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                while (!head.toString().contains("\r\n\r\n")) {
                    head.append((char) in.read());
                }
                int length = 0;
                for (String line : head.toString().split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.readNBytes(length);
                boolean askedToClose = head.toString().toLowerCase().contains("\r\nconnection: close\r\n");
                byte[] body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException\"}"
                    .getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: "
                    + body.length + (askedToClose ? "\r\nConnection: close" : "") + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                socket.setSoTimeout(2000);
                return in.read() == -1;
            } catch (java.net.SocketTimeoutException stillOpen) {
                return false;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    @DisplayName("the priming request asks for Connection: close, so the client holds no kept-alive socket afterwards")
    void noKeptAliveSocket() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> clientClosed = serveOnceAndWatch(server);
            Primer primer = Primer.describeTable(dynamoDbAt(URI.create("http://127.0.0.1:" + server.getLocalPort())),
                "t");
            new PrimingResource(() -> List.of(primer)).beforeCheckpoint(null);
            assertTrue(clientClosed.get(10, TimeUnit.SECONDS), "the client closed the priming connection itself");
        }
    }
}
