package dev.drbdmultiaz.rehearsal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.infra.ClusterSettings;
import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import dev.drbdmultiaz.infra.DrbdMultiAzStackProps;
import dev.drbdmultiaz.infra.workflow.WorkflowHandler;
import dev.drbdmultiaz.rehearsal.aws.AutoScalingFront;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

/**
 * The rehearsal runs the handlers the way the stack deploys them: the same environment variable
 * names, the same handler classes; and its Auto Scaling front answers lifecycle calls the way the
 * handlers expect from AWS.
 */
@DisplayName("Rehearsal fidelity")
class RehearsalFidelityTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @DisplayName("the Lambda host gets exactly the environment variables the synthesized functions get (plus AWS settings)")
    @SuppressWarnings("unchecked")
    void environmentMatchesTemplate() throws Exception {
        Map<String, Object> context = (Map<String, Object>) JSON.readValue(
            Files.readString(ROOT.resolve("cdk.json"), StandardCharsets.UTF_8), Map.class).get("context");
        App app = App.Builder.create().context(context).build();
        DrbdMultiAzStack stack = new DrbdMultiAzStack(app, "DrbdMultiAz", DrbdMultiAzStackProps.builder()
            .projectRoot(ROOT)
            .settings(ClusterSettings.fromContext(app.getNode()))
            .ssmDocumentsDirectory(ROOT.resolve("ssm-documents"))
            .functionsJar(RehearsalOptions.defaultFunctionsJar(ROOT))
            .build());
        JsonNode resources = JSON.valueToTree(Template.fromStack(stack).toJSON()).path("Resources");

        Set<String> templateVariables = new TreeSet<>();
        Map<String, String> templateHandlers = new TreeMap<>();
        for (Iterator<JsonNode> it = resources.elements(); it.hasNext(); ) {
            JsonNode resource = it.next();
            String handler = resource.path("Properties").path("Handler").asText("");
            if (!"AWS::Lambda::Function".equals(resource.path("Type").asText()) || !handler.startsWith("dev.drbdmultiaz.")) {
                continue;
            }
            templateHandlers.put(handler, handler);
            resource.path("Properties").path("Environment").path("Variables").fieldNames()
                .forEachRemaining(templateVariables::add);
        }
        ClusterConfig config = ClusterConfig.fromCdkJson(ROOT, 3);
        URI any = URI.create("http://127.0.0.1:1");
        Set<String> rehearsalVariables = new TreeSet<>(config.lambdaEnvironment(any, any, any, any).keySet());
        rehearsalVariables.removeIf(name -> name.startsWith("AWS_") || List.of("TZ", "LANG").contains(name));

        assertEquals(templateVariables, rehearsalVariables,
            "ClusterConfig.lambdaEnvironment must set what ReconcileWorkflow sets on the functions");
        Set<String> rehearsalHandlers = new TreeSet<>();
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            rehearsalHandlers.add(handler.handler());
        }
        assertEquals(new TreeSet<>(templateHandlers.keySet()), rehearsalHandlers);
    }

    @Test
    @DisplayName("the Auto Scaling front answers a completion without an active action the way the handlers tolerate")
    void noActiveAction() {
        LifecycleModel model = new LifecycleModel("g", "g-launch", "g-terminate", List.of("z-1a", "z-1b", "z-1c"));
        model.launched("i-0123456789abcdef0", "10.0.0.1");
        assertEquals(LifecycleModel.CONTINUE,
            model.complete("g", "g-launch", "i-0123456789abcdef0", LifecycleModel.CONTINUE).result());
        LifecycleModel.ValidationError again = org.junit.jupiter.api.Assertions.assertThrows(
            LifecycleModel.ValidationError.class,
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
        try (AutoScalingFront front = AutoScalingFront.start(URI.create("http://127.0.0.1:1"), model)) {
            String rewritten = new String(front.rewriteGroups(moto.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            assertTrue(rewritten.contains("<InstanceId>i-1</InstanceId><AvailabilityZone>z-1a</AvailabilityZone>"
                + "<LifecycleState>InService</LifecycleState>"), rewritten);
            assertTrue(rewritten.contains("<InstanceId>i-2</InstanceId><AvailabilityZone>z-1b</AvailabilityZone>"
                + "<LifecycleState>Pending:Wait</LifecycleState>"), rewritten);
            assertTrue(rewritten.contains("<InstanceId>i-3</InstanceId>") && rewritten.contains("Terminating:Wait"), rewritten);
        }
    }
}
