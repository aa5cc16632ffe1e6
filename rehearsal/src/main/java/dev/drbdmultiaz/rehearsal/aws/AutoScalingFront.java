package dev.drbdmultiaz.rehearsal.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.rehearsal.support.FormEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The Auto Scaling endpoint the handlers use (AWS_ENDPOINT_URL_AUTO_SCALING): an HTTP front on
 * 127.0.0.1 that speaks the AWS Query protocol and forwards every call to moto, except
 * <ul>
 *   <li>{@code CompleteLifecycleAction} and {@code RecordLifecycleActionHeartbeat}, which moto
 *       5.2.1 answers with HTTP 500: they are answered here from the {@link LifecycleModel}
 *       (a ValidationError "No active Lifecycle Action found" where the API gives one);</li>
 *   <li>{@code SetInstanceHealth}: {@code Unhealthy} on an InService instance of the group makes the
 *       group terminate it (Terminating:Wait, with its hook) and launch a replacement, after the
 *       call has returned ("Amazon EC2 Auto Scaling terminates and replaces the unhealthy
 *       instance", SetInstanceHealth API reference). A call that does not pass
 *       {@code ShouldRespectGracePeriod=false} is taken as falling within the group's health check
 *       grace period and changes nothing (the harsher reading: only an explicit false is sure to act);
 *       an unknown instance is a ValidationError;</li>
 *   <li>{@code DescribeAutoScalingGroups}, whose answer is rewritten for the rehearsal's group:
 *       each instance gets the model's lifecycle state ({@code Pending:Wait} while its launch
 *       action is pending) and zone (moto puts every instance in the first zone), and instances
 *       waiting in {@code Terminating:Wait} or shutting down in {@code Terminating:Proceed} (which
 *       moto removed at once) are listed again, until the model has them {@code Terminated}; the
 *       group's launch template version is the model's, and each instance's the version it was
 *       launched from (moto answers the template's default version for every instance).</li>
 * </ul>
 * Like Auto Scaling it refuses a request that is not signed with credentials the
 * {@link CredentialAuthority} issued (HTTP 403 InvalidClientTokenId, ExpiredToken,
 * MissingAuthenticationToken in the Query protocol); moto itself accepts any. While
 * {@link #setThrottled throttled} it answers every signed call as Auto Scaling does past the
 * account's request rate: HTTP 400, Query error code {@code Throttling}, "Rate exceeded".
 */
public final class AutoScalingFront implements AutoCloseable {

    private static final String NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    private static final Set<String> FORWARDED_HEADERS = Set.of("content-type", "authorization", "x-amz-date",
        "x-amz-security-token", "x-amz-content-sha256", "amz-sdk-invocation-id", "amz-sdk-request");

    private final URI moto;
    private final LifecycleModel model;
    private final CredentialAuthority authority;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1).build();
    private volatile boolean throttled;

    private AutoScalingFront(URI moto, LifecycleModel model, CredentialAuthority authority) throws IOException {
        this.moto = moto;
        this.model = model;
        this.authority = authority;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::serve);
        server.setExecutor(executor);
        server.start();
    }

    public static AutoScalingFront start(URI moto, LifecycleModel model, CredentialAuthority authority) {
        try {
            return new AutoScalingFront(moto, model, authority);
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the Auto Scaling front on 127.0.0.1", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Every call answers Auto Scaling's throttling error, or none does. The code and status are
     * those botocore's retry rules name for it ({@code data/_retry.json}: "throttling",
     * service_error_code {@code Throttling}, http_status_code 400) and AWS re:Post's "Rate
     * Exceeded" of Auto Scaling calls (knowledge-center/autoscaling-api-calls-throttled); the AWS
     * SDK for Java 2.x counts {@code Throttling} among its throttling codes (AwsErrorCode), so its
     * retries back off and retry it as Auto Scaling's would be, where a 500 would be a server error.
     */
    public void setThrottled(boolean throttled) {
        this.throttled = throttled;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var rejected = authority.check(exchange.getRequestHeaders());
            if (rejected.isPresent()) {
                String code = rejected.get() == CredentialAuthority.Rejection.UNRECOGNIZED ? "InvalidClientTokenId"
                    : rejected.get().code();
                respond(exchange, 403, error("Sender", code, rejected.get().message()));
                return;
            }
            if (throttled) {
                respond(exchange, 400, error("Sender", "Throttling", "Rate exceeded"));
                return;
            }
            Map<String, String> form = FormEncoding.decode(new String(body, StandardCharsets.UTF_8));
            if (exchange.getRequestURI().getRawQuery() != null) {
                form.putAll(FormEncoding.decode(exchange.getRequestURI().getRawQuery()));
            }
            String action = form.getOrDefault("Action", "");
            switch (action) {
                case "CompleteLifecycleAction" -> lifecycle(exchange, action, () -> model.complete(
                    form.get("AutoScalingGroupName"), form.get("LifecycleHookName"), form.get("InstanceId"),
                    form.get("LifecycleActionResult")));
                case "RecordLifecycleActionHeartbeat" -> lifecycle(exchange, action, () -> model.heartbeat(
                    form.get("AutoScalingGroupName"), form.get("LifecycleHookName"), form.get("InstanceId")));
                case "SetInstanceHealth" -> lifecycle(exchange, action, () -> setInstanceHealth(form.get("InstanceId"),
                    form.get("HealthStatus"), form.get("ShouldRespectGracePeriod")));
                default -> forward(exchange, body, "DescribeAutoScalingGroups".equals(action));
            }
        } catch (RuntimeException e) {
            respond(exchange, 500, error("Receiver", "InternalFailure", "Rehearsal Auto Scaling front: " + e));
        }
    }

    private void setInstanceHealth(String instanceId, String status, String respectGracePeriod) {
        LifecycleModel.Instance instance = model.find(instanceId).orElseThrow(() -> new LifecycleModel.ValidationError(
            "Instance Id not found - No managed instance found for instance ID: " + instanceId));
        if (!"Healthy".equals(status) && !"Unhealthy".equals(status)) {
            throw new LifecycleModel.ValidationError("Valid requests must contain either Healthy or Unhealthy, got "
                + status);
        }
        if ("Unhealthy".equals(status) && "false".equals(respectGracePeriod)
            && instance.state() == LifecycleModel.State.IN_SERVICE) {
            executor.execute(() -> model.terminating(instanceId));
        }
    }

    private void lifecycle(HttpExchange exchange, String action, Runnable call) throws IOException {
        try {
            call.run();
        } catch (LifecycleModel.ValidationError e) {
            respond(exchange, 400, error("Sender", "ValidationError", e.getMessage()));
            return;
        }
        respond(exchange, 200, ("<" + action + "Response xmlns=\"" + NS + "\"><" + action + "Result/>"
            + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata></"
            + action + "Response>").getBytes(StandardCharsets.UTF_8));
    }

    private void forward(HttpExchange exchange, byte[] body, boolean rewrite) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(moto.resolve(exchange.getRequestURI().toString()))
            .timeout(Duration.ofSeconds(30))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (FORWARDED_HEADERS.contains(name.toLowerCase())) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while forwarding to moto", e);
        }
        byte[] answer = response.body();
        if (rewrite && response.statusCode() == 200) {
            answer = rewriteGroups(answer);
        }
        response.headers().firstValue("content-type")
            .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
        response.headers().firstValue("x-amzn-requestid")
            .ifPresent(id -> exchange.getResponseHeaders().set("x-amzn-RequestId", id));
        respond(exchange, response.statusCode(), answer);
    }

    /** The model's view of the rehearsal's group, laid over moto's answer. */
    public byte[] rewriteGroups(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = factory.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(xml));
            NodeList names = doc.getElementsByTagNameNS(NS, "AutoScalingGroupName");
            for (int i = 0; i < names.getLength(); i++) {
                Element name = (Element) names.item(i);
                Element group = (Element) name.getParentNode();
                if (!model.groupName().equals(name.getTextContent()) || !"member".equals(group.getLocalName())) {
                    continue;
                }
                rewriteGroup(doc, group);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            var transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.transform(new DOMSource(doc), new StreamResult(out));
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException("Could not rewrite moto's DescribeAutoScalingGroups answer", e);
        }
    }

    private void rewriteGroup(Document doc, Element group) {
        model.desiredCapacity().ifPresent(capacity -> set(doc, group, "DesiredCapacity", Integer.toString(capacity)));
        Element template = child(group, "LaunchTemplate");
        if (template != null) {
            set(doc, template, "Version", model.launchTemplateVersion());
        }
        Element instances = child(group, "Instances");
        if (instances == null) {
            instances = doc.createElementNS(NS, "Instances");
            group.appendChild(instances);
        }
        Set<String> listed = new HashSet<>();
        for (Element member : children(instances, "member")) {
            String id = text(member, "InstanceId");
            listed.add(id);
            var known = model.find(id);
            if (known.isEmpty()) {
                // Launched but not yet in its Pending:Wait: the API shows "Pending".
                set(doc, member, "LifecycleState", "Pending");
                continue;
            }
            if (known.get().state() == LifecycleModel.State.TERMINATED) {
                instances.removeChild(member);
                continue;
            }
            set(doc, member, "AvailabilityZone", known.get().availabilityZone());
            set(doc, member, "LifecycleState", known.get().state().api());
            launchedFrom(doc, member, id);
        }
        for (LifecycleModel.Instance instance : model.live()) {
            if (listed.contains(instance.instanceId())) {
                continue;
            }
            Element member = doc.createElementNS(NS, "member");
            for (Map.Entry<String, String> field : Map.of("InstanceId", instance.instanceId(),
                "InstanceType", "t3.medium", "AvailabilityZone", instance.availabilityZone(),
                "LifecycleState", instance.state().api(), "HealthStatus", "Healthy",
                "ProtectedFromScaleIn", "false").entrySet()) {
                set(doc, member, field.getKey(), field.getValue());
            }
            launchedFrom(doc, member, instance.instanceId());
            instances.appendChild(member);
        }
    }

    /** The instance's LaunchTemplate names the version it was launched from. */
    private void launchedFrom(Document doc, Element member, String instanceId) {
        Element template = child(member, "LaunchTemplate");
        if (template == null) {
            template = doc.createElementNS(NS, "LaunchTemplate");
            member.appendChild(template);
        }
        set(doc, template, "Version", model.launchTemplateVersionOf(instanceId));
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> result = new java.util.ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName())) {
                result.add(element);
            }
        }
        return result;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent();
    }

    private static void set(Document doc, Element parent, String name, String value) {
        Element element = child(parent, name);
        if (element == null) {
            element = doc.createElementNS(NS, name);
            parent.appendChild(element);
        }
        element.setTextContent(value);
    }

    private static byte[] error(String type, String code, String message) {
        String escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return ("<ErrorResponse xmlns=\"" + NS + "\"><Error><Type>" + type + "</Type><Code>" + code
            + "</Code><Message>" + escaped + "</Message></Error><RequestId>" + UUID.randomUUID()
            + "</RequestId></ErrorResponse>").getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (!exchange.getResponseHeaders().containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "text/xml");
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
