package dev.drbdmultiaz.rehearsal.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The rehearsal's CloudFormation, as far as a Lambda-backed custom resource goes (CloudFormation
 * user guide, "Custom resource request and response reference"; Lambda developer guide, "Using
 * Lambda with CloudFormation"):
 * <ul>
 *   <li>the request (RequestType, ResponseURL, StackId, RequestId, ResourceType, LogicalResourceId,
 *       ResourceProperties with every value a string, OldResourceProperties and PhysicalResourceId
 *       where they belong) goes to the ServiceToken function as an asynchronous invocation, so
 *       Lambda's own retries of a function error apply;</li>
 *   <li>the ResponseURL is a pre-signed S3 URL on the region's
 *       {@code cloudformation-custom-resource-response-<region>} host; the code's HTTPS request to it
 *       reaches this class's bucket on 127.0.0.1 (the Node runtime's route), which takes the PUT;</li>
 *   <li>a response must name the request's StackId, RequestId and LogicalResourceId, carry
 *       Status SUCCESS or FAILED, a PhysicalResourceId, a Reason when FAILED, and stay within 4096
 *       bytes; anything else fails the operation;</li>
 *   <li>no response within the resource's ServiceTimeout (default and at most 3600 s, times the
 *       time scale) fails it with CloudFormation's own "did not receive a response" reason;</li>
 *   <li>an Update whose response changes the physical id is followed by a Delete of the old one
 *       (the cleanup phase); a failed Update by the rollback's Update back to the old properties, a
 *       failed Create by the rollback's Delete.</li>
 * </ul>
 */
public final class CustomResources implements AutoCloseable {

    /** The largest response body CloudFormation accepts. */
    static final int MAX_RESPONSE_BYTES = 4096;
    static final Duration DEFAULT_SERVICE_TIMEOUT = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How one operation on a custom resource ended.
     *
     * @param requestType Create, Update or Delete
     * @param status SUCCESS or FAILED
     * @param reason the response's Reason, or CloudFormation's when it failed the operation itself
     * @param physicalResourceId the response's, or the one before when there was none
     * @param data the response's Data
     * @param took from the request to the response (or to the timeout)
     * @param followUp the Delete CloudFormation sent afterwards (rollback or cleanup), or {@code null}
     */
    public record Outcome(String requestType, String status, String reason, String physicalResourceId,
        Map<String, String> data, Duration took, Outcome followUp) {

        public boolean succeeded() {
            return "SUCCESS".equals(status);
        }
    }

    private final LambdaService lambda;
    private final String region;
    private final String stackId;
    private final CompressedTime time;
    private final HttpServer bucket;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** A request waiting for its response. */
    private record Pending(ObjectNode request, CompletableFuture<JsonNode> response) {
    }

    /**
     * @param stackId the stack's ARN ({@code arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>})
     * @param bucket from {@link #startBucket()}
     */
    public CustomResources(LambdaService lambda, String region, String stackId, CompressedTime time, HttpServer bucket) {
        this.lambda = Objects.requireNonNull(lambda, "lambda");
        this.region = region;
        this.stackId = stackId;
        this.time = time;
        this.bucket = bucket;
        bucket.createContext("/", this::receive);
        bucket.start();
    }

    /**
     * Starts the response bucket before the Lambda service exists: its Node functions need the
     * route to it from their first start.
     */
    public static HttpServer startBucket() {
        try {
            return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the custom resource response bucket on 127.0.0.1", e);
        }
    }

    /** The host of the pre-signed response URLs in {@code region} (us-east-1: ...-useast1.s3-us-east-1...). */
    public static String responseHost(String region) {
        return "cloudformation-custom-resource-response-" + region.replace("-", "") + ".s3-" + region
            + ".amazonaws.com";
    }

    /** {@code 127.0.0.1:<port>}: where the Node runtime sends the code's requests to {@link #responseHost}. */
    public static String route(HttpServer bucket) {
        return "127.0.0.1:" + bucket.getAddress().getPort();
    }

    public String stackId() {
        return stackId;
    }

    /** CREATE: the resource's properties as the template gives them (intrinsics resolved). */
    public Outcome create(String logicalId, String resourceType, JsonNode properties) {
        Outcome created = send("Create", logicalId, resourceType, properties, null, null);
        if (created.succeeded()) {
            return created;
        }
        Outcome rollback = send("Delete", logicalId, resourceType, properties, null, created.physicalResourceId());
        return withFollowUp(created, rollback);
    }

    /**
     * UPDATE from {@code oldProperties} to {@code properties}; a new physical id deletes the old
     * resource, a failure rolls back.
     */
    public Outcome update(String logicalId, String resourceType, JsonNode properties, JsonNode oldProperties,
        String physicalResourceId) {
        Outcome updated = send("Update", logicalId, resourceType, properties, oldProperties, physicalResourceId);
        if (!updated.succeeded()) {
            // UPDATE_ROLLBACK_IN_PROGRESS: back to the old properties.
            return withFollowUp(updated, send("Update", logicalId, resourceType, oldProperties, properties,
                physicalResourceId));
        }
        if (!physicalResourceId.equals(updated.physicalResourceId())) {
            return withFollowUp(updated, send("Delete", logicalId, resourceType, oldProperties, null,
                physicalResourceId));
        }
        return updated;
    }

    /** DELETE of the resource with {@code physicalResourceId}. */
    public Outcome delete(String logicalId, String resourceType, JsonNode properties, String physicalResourceId) {
        return send("Delete", logicalId, resourceType, properties, null, physicalResourceId);
    }

    private static Outcome withFollowUp(Outcome first, Outcome followUp) {
        return new Outcome(first.requestType(), first.status(), first.reason(), first.physicalResourceId(),
            first.data(), first.took(), followUp);
    }

    private Outcome send(String requestType, String logicalId, String resourceType, JsonNode properties,
        JsonNode oldProperties, String physicalResourceId) {
        String requestId = UUID.randomUUID().toString();
        String key = URLEncoder.encode(stackId + "|" + logicalId + "|" + requestId, StandardCharsets.UTF_8);
        ObjectNode request = JSON.createObjectNode();
        request.put("RequestType", requestType);
        request.put("ServiceToken", properties.path("ServiceToken").asText());
        request.put("ResponseURL", "https://" + responseHost(region) + "/" + key + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Date=" + Instant.now().toString().replaceAll("[-:]|\\.\\d+", "") + "&X-Amz-Expires=7200"
            + "&X-Amz-SignedHeaders=host&X-Amz-Signature=" + HexFormat.of().formatHex(UUID.randomUUID().toString()
                .getBytes(StandardCharsets.US_ASCII)));
        request.put("StackId", stackId);
        request.put("RequestId", requestId);
        request.put("ResourceType", resourceType);
        request.put("LogicalResourceId", logicalId);
        if (physicalResourceId != null) {
            request.put("PhysicalResourceId", physicalResourceId);
        }
        request.set("ResourceProperties", strings(properties));
        if (oldProperties != null) {
            request.set("OldResourceProperties", strings(oldProperties));
        }
        Pending waiting = new Pending(request, new CompletableFuture<>());
        pending.put("/" + key, waiting);
        Instant sent = Instant.now();
        Duration timeout = time.scaled(serviceTimeout(properties));
        lambda.invokeEvent(request.path("ServiceToken").asText(), request);
        try {
            JsonNode response = waiting.response().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return outcome(requestType, response, physicalResourceId, Duration.between(sent, Instant.now()));
        } catch (TimeoutException e) {
            return new Outcome(requestType, "FAILED", "CloudFormation did not receive a response from your Custom"
                + " Resource. Please check your logs for requestId [" + requestId + "].", physicalResourceId, Map.of(),
                Duration.between(sent, Instant.now()), null);
        } catch (ExecutionException e) {
            return new Outcome(requestType, "FAILED", e.getCause().getMessage(), physicalResourceId, Map.of(),
                Duration.between(sent, Instant.now()), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + logicalId, e);
        } finally {
            pending.remove("/" + key);
        }
    }

    private static Duration serviceTimeout(JsonNode properties) {
        JsonNode value = properties.path("ServiceTimeout");
        return value.isMissingNode() ? DEFAULT_SERVICE_TIMEOUT : Duration.ofSeconds(value.asLong());
    }

    /** CloudFormation passes every property value as a string (nested objects and lists keep their shape). */
    private static JsonNode strings(JsonNode node) {
        if (node.isObject()) {
            ObjectNode copy = JSON.createObjectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), strings(e.getValue())));
            return copy;
        }
        if (node.isArray()) {
            var copy = JSON.createArrayNode();
            node.forEach(n -> copy.add(strings(n)));
            return copy;
        }
        return JSON.getNodeFactory().textNode(node.asText());
    }

    private static Outcome outcome(String requestType, JsonNode response, String physicalBefore, Duration took) {
        Map<String, String> data = new LinkedHashMap<>();
        response.path("Data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
        return new Outcome(requestType, response.path("Status").asText(), response.path("Reason").asText(null),
            response.path("PhysicalResourceId").asText(physicalBefore), data, took, null);
    }

    /** The S3 side of the pre-signed URL: takes a PUT of the response and hands it to the waiting request. */
    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            Pending waiting = pending.get(exchange.getRequestURI().getRawPath());
            String query = exchange.getRequestURI().getRawQuery();
            if (!"PUT".equals(exchange.getRequestMethod()) || waiting == null || query == null
                || !query.contains("X-Amz-Signature=")) {
                byte[] denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
                    .getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(403, denied.length);
                exchange.getResponseBody().write(denied);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            waiting.response().complete(checked(waiting.request(), body));
        }
    }

    /** The response as CloudFormation reads it; an invalid one becomes a FAILED status naming what was wrong. */
    static JsonNode checked(ObjectNode request, byte[] body) {
        List<String> problems = new ArrayList<>();
        JsonNode response;
        try {
            response = JSON.readTree(body);
        } catch (IOException e) {
            return failed(request, "Invalid response object: not JSON (" + e.getMessage() + ")");
        }
        if (body.length > MAX_RESPONSE_BYTES) {
            problems.add("Response object is too long (" + body.length + " bytes, at most " + MAX_RESPONSE_BYTES + ")");
        }
        String status = response.path("Status").asText("");
        if (!status.equals("SUCCESS") && !status.equals("FAILED")) {
            problems.add("Status must be SUCCESS or FAILED, got '" + status + "'");
        }
        for (String field : List.of("StackId", "RequestId", "LogicalResourceId")) {
            if (!request.path(field).asText().equals(response.path(field).asText(null))) {
                problems.add(field + " '" + response.path(field).asText("") + "' is not the request's");
            }
        }
        String physical = response.path("PhysicalResourceId").asText("");
        if (physical.isEmpty() || physical.length() > 1024) {
            problems.add("Invalid PhysicalResourceId '" + physical + "'");
        }
        if (status.equals("FAILED") && response.path("Reason").asText("").isEmpty()) {
            problems.add("a FAILED response needs a Reason");
        }
        return problems.isEmpty() ? response : failed(request, String.join("; ", problems));
    }

    private static JsonNode failed(ObjectNode request, String reason) {
        ObjectNode failed = JSON.createObjectNode();
        failed.put("Status", "FAILED");
        failed.put("Reason", reason);
        if (request.has("PhysicalResourceId")) {
            failed.put("PhysicalResourceId", request.path("PhysicalResourceId").asText());
        }
        return failed;
    }

    @Override
    public void close() {
        bucket.stop(0);
    }
}
