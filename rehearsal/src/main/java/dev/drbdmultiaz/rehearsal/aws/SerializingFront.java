package dev.drbdmultiaz.rehearsal.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A front on 127.0.0.1 that forwards every request to moto ONE AT A TIME.
 *
 * <p>Why: moto_server answers requests on parallel threads and its DynamoDB backend does not
 * lock items, so two concurrent conditional writes to the same item can both pass their
 * condition (measured: two executions both acquired the cluster lock, and two DescribeCluster
 * calls both claimed node-ids with {@code attribute_not_exists}). DynamoDB applies conditional
 * writes to an item atomically; serializing the requests restores that guarantee, which the
 * cluster lock (I5) and the node-id allocation (I6) rely on. The handlers reach DynamoDB through
 * this front (AWS_ENDPOINT_URL_DYNAMODB).
 *
 * <p>Like DynamoDB it refuses a request that is not signed with credentials the
 * {@link CredentialAuthority} issued (HTTP 400 UnrecognizedClientException, ExpiredTokenException,
 * MissingAuthenticationTokenException in the AWS JSON protocol); moto itself accepts any. In front of
 * EC2 ({@link Protocol#EC2}) the refusal is EC2's: HTTP 401 AuthFailure, or 400 RequestExpired for
 * expired credentials, in EC2's XML error document (EC2 API reference, "Error codes").
 */
public final class SerializingFront implements AutoCloseable {

    private static final Set<String> FORWARDED_HEADERS = Set.of("content-type", "authorization", "x-amz-date",
        "x-amz-security-token", "x-amz-content-sha256", "x-amz-target", "amz-sdk-invocation-id", "amz-sdk-request",
        "accept-encoding");
    private static final Set<String> RETURNED_HEADERS = Set.of("content-type", "x-amz-crc32", "x-amzn-requestid",
        "x-amzn-errortype", "content-encoding");

    /** How a refused request is answered. */
    public enum Protocol { AWS_JSON, EC2 }

    private final URI target;
    private final CredentialAuthority authority;
    private final Protocol protocol;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ReentrantLock lock = new ReentrantLock(true);
    /** What answers EC2 requests moto would answer more kindly than AWS (ModifyVolume), or {@code null}. */
    private volatile VolumeModifications volumeModifications;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();

    private SerializingFront(URI target, CredentialAuthority authority, Protocol protocol) throws IOException {
        this.target = target;
        this.authority = authority;
        this.protocol = protocol;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    public static SerializingFront start(URI target, CredentialAuthority authority) {
        return start(target, authority, Protocol.AWS_JSON);
    }

    public static SerializingFront start(URI target, CredentialAuthority authority, Protocol protocol) {
        try {
            return new SerializingFront(target, authority, protocol);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start a front on 127.0.0.1", e);
        }
    }

    /** Lets {@code model} answer the EC2 requests it models (the EC2 front only). */
    public void answerWith(VolumeModifications model) {
        if (protocol != Protocol.EC2) {
            throw new IllegalStateException("Only the EC2 front answers volume modifications");
        }
        this.volumeModifications = model;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var rejected = authority.check(exchange.getRequestHeaders());
            if (rejected.isPresent() && protocol == Protocol.EC2) {
                boolean expired = rejected.get() == CredentialAuthority.Rejection.EXPIRED;
                byte[] error = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>"
                    + (expired ? "RequestExpired" : "AuthFailure") + "</Code><Message>" + rejected.get().message()
                    + "</Message></Error></Errors><RequestID>" + java.util.UUID.randomUUID() + "</RequestID></Response>")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
                exchange.sendResponseHeaders(expired ? 400 : 401, error.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(error);
                }
                return;
            }
            if (rejected.isPresent()) {
                String type = rejected.get().code() + "Exception";
                byte[] error = ("{\"__type\":\"com.amazon.coral.service#" + type + "\",\"message\":\""
                    + rejected.get().message() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
                exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
                exchange.sendResponseHeaders(400, error.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(error);
                }
                return;
            }
            VolumeModifications model = volumeModifications;
            if (model != null) {
                java.util.Optional<VolumeModifications.Answer> modelled;
                lock.lock();
                try {
                    modelled = model.answer(body);
                } finally {
                    lock.unlock();
                }
                if (modelled.isPresent()) {
                    byte[] answer = modelled.get().body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
                    exchange.sendResponseHeaders(modelled.get().status(), answer.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(answer);
                    }
                    return;
                }
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (FORWARDED_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            lock.lock();
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while forwarding", e);
            } finally {
                lock.unlock();
            }
            response.headers().map().forEach((name, values) -> {
                if (RETURNED_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(value -> exchange.getResponseHeaders().add(name, value));
                }
            });
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
