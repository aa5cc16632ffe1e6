package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.functions.trigger.TriggerReconcileHandler;
import dev.drbdmultiaz.infra.workflow.WorkflowHandler;
import dev.drbdmultiaz.rehearsal.aws.AutoScalingFront;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.EventBus;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.aws.MotoServer;
import dev.drbdmultiaz.rehearsal.aws.SerializingFront;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.lambda.CredentialsProbeHandler;
import dev.drbdmultiaz.rehearsal.lambda.FunctionSpec;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.stack.SynthesizedStack;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * The rehearsal is as strict as AWS where the first deploy would otherwise fail: each function
 * gets exactly the environment Lambda gives it (no access-key variables under SnapStart), every
 * endpoint refuses requests not signed with issued, unexpired credentials, the rules deliver only
 * what their patterns match, and StartExecution is idempotent the way the API reference says.
 */
@DisplayName("Rehearsal fidelity")
class RehearsalFidelityTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ACCESS_KEY_VARIABLES = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN");
    /** What Lambda sets in every function (Lambda developer guide, "Defined runtime environment variables"). */
    private static final Set<String> LAMBDA_DEFINED = Set.of("AWS_REGION", "AWS_DEFAULT_REGION",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_EXECUTION_ENV",
        "_HANDLER", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_LAMBDA_RUNTIME_API", "TZ", "LANG", "PATH");

    private static DeployedStack stack;

    @BeforeAll
    static void synthesize() {
        SynthesizedStack synthesized = SynthesizedStack.of(ROOT, RehearsalOptions.defaultFunctionsJar(ROOT), Map.of());
        stack = new DeployedStack(synthesized, synthesized.settings().region(), 1L);
    }

    @Test
    @DisplayName("each function gets its own template environment plus Lambda's variables; SnapStart functions get only container credentials")
    void functionEnvironments(@TempDir Path sandbox) {
        List<FunctionSpec> functions = FunctionSpec.of(stack);
        Set<String> handlers = new TreeSet<>();
        functions.stream().filter(FunctionSpec::java).forEach(f -> handlers.add(f.handler()));
        Set<String> expectedHandlers = new TreeSet<>();
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            expectedHandlers.add(handler.handler());
        }
        assertEquals(expectedHandlers, handlers, "every workflow handler is a function of the template");

        Map<String, String> routing = Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        try (ChildProcesses processes = new ChildProcesses();
             LambdaService lambda = new LambdaService(processes, functions, routing, CompressedTime.REAL,
                 new CredentialAuthority(), ROOT, sandbox, List.of(), Map.of())) {
            for (FunctionSpec function : functions.stream().filter(FunctionSpec::java).toList()) {
                Map<String, String> env = lambda.environmentOf(function.name());
                Set<String> expected = new TreeSet<>(function.environment().keySet());
                expected.addAll(LAMBDA_DEFINED);
                expected.addAll(Set.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA"));
                assertTrue(function.snapStart(), function.name() + " runs with SnapStart");
                assertEquals(expected, new TreeSet<>(env.keySet()), function.name());
                assertEquals("snap-start", env.get("AWS_LAMBDA_INITIALIZATION_TYPE"));
                assertEquals(function.name(), env.get("AWS_LAMBDA_FUNCTION_NAME"));
                assertEquals(Integer.toString(function.memoryMiB()), env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
                ACCESS_KEY_VARIABLES.forEach(v -> assertFalse(env.containsKey(v), function.name() + " sees " + v));
                function.environment().forEach((k, v) -> assertEquals(v, env.get(k), function.name() + " " + k));
            }
        }
    }

    @Test
    @DisplayName("a handler pinned to the access-key variables fails under the rehearsal's SnapStart; the project's clients get container credentials")
    void snapStartCredentials(@TempDir Path sandbox) {
        CredentialAuthority authority = new CredentialAuthority();
        try (ChildProcesses processes = new ChildProcesses()) {
            MotoServer moto = MotoServer.start(processes, sandbox);
            try (SerializingFront dynamoDb = SerializingFront.start(moto.endpoint(), authority);
                 LambdaService lambda = probe(processes, authority, sandbox, dynamoDb.endpoint())) {
                JsonNode ok = lambda.invoke("probe", JSON.createObjectNode().put("credentials", "chain"));
                assertEquals("chain", ok.path("mode").asText(), ok.toString());

                LambdaService.FunctionError pinned = assertThrows(LambdaService.FunctionError.class,
                    () -> lambda.invoke("probe", JSON.createObjectNode().put("credentials", "environment")));
                assertTrue(pinned.getMessage().contains("Unable to load credentials"), pinned.getMessage());
            }
        }
    }

    private static LambdaService probe(ChildProcesses processes, CredentialAuthority authority, Path sandbox,
        URI dynamoDb) {
        FunctionSpec probe = new FunctionSpec("Probe", "probe",
            "arn:aws:lambda:us-east-1:" + DeployedStack.ACCOUNT + ":function:probe", "java21",
            CredentialsProbeHandler.class.getName() + "::handleRequest", 512, 30, true, Map.of(), "/aws/lambda/probe",
            RehearsalOptions.defaultFunctionsJar(ROOT));
        Map<String, String> routing = Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString(),
            "AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        return new LambdaService(processes, List.of(probe), routing, CompressedTime.REAL, authority, ROOT, sandbox,
            List.of(testClasses()), Map.of());
    }

    private static Path testClasses() {
        try {
            return Path.of(CredentialsProbeHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @DisplayName("the endpoints refuse unsigned, foreign and expired credentials with the errors AWS gives")
    void endpointsCheckCredentials() throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        CredentialAuthority authority = new CredentialAuthority(clock);
        CredentialAuthority.Issued issued = authority.issue("fn", Duration.ofMinutes(2));
        String header = "AWS4-HMAC-SHA256 Credential=" + issued.accessKeyId()
            + "/20261201/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00";
        assertTrue(authority.check(header, issued.sessionToken()).isEmpty());
        assertEquals(CredentialAuthority.Rejection.UNRECOGNIZED, authority.check(header, "other-token").orElseThrow());
        assertEquals(CredentialAuthority.Rejection.UNRECOGNIZED, authority.check(
            "AWS4-HMAC-SHA256 Credential=AKIAREHEARSAL/20261201/us-east-1/states/aws4_request", null).orElseThrow());
        assertEquals(CredentialAuthority.Rejection.MISSING, authority.check(null, null).orElseThrow());
        now.set(issued.expiration());
        assertEquals(CredentialAuthority.Rejection.EXPIRED, authority.check(header, issued.sessionToken()).orElseThrow());

        try (StepFunctionsFront sfn = StepFunctionsFront.start(authority)) {
            HttpResponse<String> refused = dev.drbdmultiaz.rehearsal.support.Net.HTTP.send(HttpRequest.newBuilder(
                    sfn.endpoint()).header("X-Amz-Target", "AWSStepFunctions.DescribeExecution")
                    .header("Authorization", header).header("X-Amz-Security-Token", issued.sessionToken())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, refused.statusCode());
            assertTrue(refused.body().contains("ExpiredTokenException"), refused.body());
        }
        LifecycleModel model = new LifecycleModel("g", "g-launch", "g-terminate", List.of("z-1a", "z-1b", "z-1c"));
        try (AutoScalingFront front = AutoScalingFront.start(URI.create("http://127.0.0.1:1"), model, authority)) {
            HttpResponse<String> refused = dev.drbdmultiaz.rehearsal.support.Net.HTTP.send(HttpRequest.newBuilder(
                    front.endpoint()).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeAutoScalingGroups&Version=2011-01-01"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, refused.statusCode());
            assertTrue(refused.body().contains("<Code>MissingAuthenticationToken</Code>"), refused.body());
        }
    }

    @Test
    @DisplayName("StartExecution is idempotent for a running execution with the same input, ExecutionAlreadyExists otherwise; the trigger handler copes with both")
    void startExecutionIdempotency(@TempDir Path sandbox) throws Exception {
        CredentialAuthority authority = new CredentialAuthority();
        String machine = "arn:aws:states:us-east-1:" + DeployedStack.ACCOUNT + ":stateMachine:m";
        List<Process> runners = new ArrayList<>();
        try (StepFunctionsFront sfn = StepFunctionsFront.start(authority)) {
            sfn.register(machine, execution -> {
                Process p = new ProcessBuilder("sleep", "60").start();
                runners.add(p);
                return p;
            });
            CredentialAuthority.Issued issued = authority.issue("trigger");
            try (SfnClient client = SfnClient.builder().endpointOverride(sfn.endpoint()).region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(
                    issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken()))).build()) {
                TriggerReconcileHandler trigger = new TriggerReconcileHandler(new TriggerReconcileHandler.Config(machine,
                    "registry", new dev.drbdmultiaz.functions.trigger.TriggerEvents.Identity("c/r0", "g", "g-launch",
                        "g-terminate")), client, new FreeLockRegistry());
                String event = "{\"version\":\"0\",\"id\":\"5f2a1c3e-0000-4000-8000-000000000001\",\"detail-type\":"
                    + "\"Reconcile Requested\",\"source\":\"drbd-multiaz\",\"account\":\"123456789012\",\"time\":"
                    + "\"2026-12-01T10:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":{\"clusterId\":\"c/r0\"}}";
                JsonNode first = invoke(trigger, event);
                JsonNode again = invoke(trigger, event);
                assertTrue(first.path("started").asBoolean(), first.toString());
                assertEquals(first.path("executionArn").asText(), again.path("executionArn").asText(),
                    "a duplicate delivery while the execution runs returns the same execution");
                assertEquals(1, sfn.executions().size());

                String name = first.path("executionName").asText();
                assertThrows(software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException.class,
                    () -> client.startExecution(b -> b.stateMachineArn(machine).name(name).input("{\"other\":1}")));

                runners.forEach(Process::destroy);
                sfn.executions().get(0).done().get(30, java.util.concurrent.TimeUnit.SECONDS);
                JsonNode late = invoke(trigger, event);
                assertFalse(late.path("started").asBoolean(), late.toString());
                assertTrue(late.path("duplicate").asBoolean(), late.toString());
                assertEquals(1, sfn.executions().size());
                assertEquals(Execution.FAILED, sfn.executions().get(0).status());
            }
        } finally {
            runners.forEach(Process::destroyForcibly);
        }
    }

    private static JsonNode invoke(TriggerReconcileHandler handler, String event) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        handler.handleRequest(new java.io.ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    @Test
    @DisplayName("the template's rules deliver this group's lifecycle events and this cluster's re-adjust events, nothing else")
    void rulesMatchOnlyTheirEvents() {
        StackView view = new StackView(stack);
        List<String> delivered = new ArrayList<>();
        EventBus bus = new EventBus(stack, (target, event) -> {
            delivered.add(event.path("detail-type").asText() + "@" + event.path("detail").toString());
            return JSON.createObjectNode();
        });
        assertEquals(1, bus.publish(lifecycle(view.groupName(), view.launchHookName(), "launch")).size());
        assertEquals(1, bus.publish(lifecycle(view.groupName(), view.terminateHookName(), "terminate")).size());
        assertEquals(0, bus.publish(lifecycle("another-group", view.launchHookName(), "launch")).size());
        assertEquals(0, bus.publish(lifecycle(view.groupName(), view.terminateHookName(), "launch")).size(),
            "a launch event of the terminate hook matches no rule");
        assertEquals(1, bus.publish(readjust(view.clusterId())).size());
        assertEquals(0, bus.publish(readjust("Other/r0")).size());
        assertEquals(1, bus.schedules().size());
        assertEquals(Duration.ofMinutes(stack.synthesized().settings().readjustIntervalMinutes()),
            bus.schedules().get(0).schedule());
        assertEquals(3, delivered.size(), delivered.toString());
    }

    private static JsonNode lifecycle(String group, String hook, String kind) {
        var event = JSON.createObjectNode();
        event.put("source", "aws.autoscaling");
        event.put("detail-type", "launch".equals(kind) ? "EC2 Instance-launch Lifecycle Action"
            : "EC2 Instance-terminate Lifecycle Action");
        event.putObject("detail").put("AutoScalingGroupName", group).put("LifecycleHookName", hook);
        return event;
    }

    private static JsonNode readjust(String clusterId) {
        var event = JSON.createObjectNode();
        event.put("source", "drbd-multiaz");
        event.put("detail-type", "Reconcile Requested");
        event.putObject("detail").put("clusterId", clusterId);
        return event;
    }

    @Test
    @DisplayName("the Auto Scaling front answers a completion without an active action the way the handlers tolerate")
    void noActiveAction() {
        LifecycleModel model = new LifecycleModel("g", "g-launch", "g-terminate", List.of("z-1a", "z-1b", "z-1c"));
        model.launched("i-0123456789abcdef0", "10.0.0.1");
        assertEquals(LifecycleModel.CONTINUE,
            model.complete("g", "g-launch", "i-0123456789abcdef0", LifecycleModel.CONTINUE).result());
        LifecycleModel.ValidationError again = assertThrows(LifecycleModel.ValidationError.class,
            () -> model.complete("g", "g-launch", "i-0123456789abcdef0", LifecycleModel.CONTINUE));
        // LifecycleActions.tolerateNoAction matches ValidationError + "no active lifecycle action".
        assertTrue(again.getMessage().toLowerCase().contains("no active lifecycle action"), again.getMessage());
    }

    @Test
    @DisplayName("the Auto Scaling front spreads instances over the zones and lists terminating ones in Terminating:Wait")
    void describeRewrite() {
        LifecycleModel model = new LifecycleModel("g", "g-launch", "g-terminate", List.of("z-1a", "z-1b", "z-1c"));
        model.launched("i-1", "10.0.0.1");
        model.launched("i-2", "10.0.0.2");
        model.launched("i-3", "10.0.0.3");
        model.complete("g", "g-launch", "i-1", LifecycleModel.CONTINUE);
        model.terminating("i-3");
        String moto = "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
            + "<DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>g</AutoScalingGroupName>"
            + "<Instances>"
            + "<member><InstanceId>i-1</InstanceId><AvailabilityZone>z-1a</AvailabilityZone><LifecycleState>InService</LifecycleState></member>"
            + "<member><InstanceId>i-2</InstanceId><AvailabilityZone>z-1a</AvailabilityZone><LifecycleState>InService</LifecycleState></member>"
            + "</Instances></member></AutoScalingGroups></DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>";
        try (AutoScalingFront front = AutoScalingFront.start(URI.create("http://127.0.0.1:1"), model,
            new CredentialAuthority())) {
            String rewritten = new String(front.rewriteGroups(moto.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            assertTrue(rewritten.contains("<InstanceId>i-1</InstanceId><AvailabilityZone>z-1a</AvailabilityZone>"
                + "<LifecycleState>InService</LifecycleState>"), rewritten);
            assertTrue(rewritten.contains("<InstanceId>i-2</InstanceId><AvailabilityZone>z-1b</AvailabilityZone>"
                + "<LifecycleState>Pending:Wait</LifecycleState>"), rewritten);
            assertTrue(rewritten.contains("<InstanceId>i-3</InstanceId>") && rewritten.contains("Terminating:Wait"), rewritten);
        }
    }
}
