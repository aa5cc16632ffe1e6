package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.model.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The step catalog (model's Step and NodeDocument) against the files that must agree with it. */
@DisplayName("Step catalog: documents, ASL routing and labels")
class StepCatalogTest {

    private static JsonNode states;

    @BeforeAll
    static void load() throws IOException {
        states = new ObjectMapper().readTree(Files.readString(WorkflowFixture.definitionFile())).get("States");
    }

    @Test
    @DisplayName("ssm-documents/ holds exactly one file per NodeDocument")
    void documentFiles() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(WorkflowFixture.projectRoot().resolve("ssm-documents"))) {
            files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(Arrays.stream(NodeDocument.values()).map(NodeDocument::fileName)
            .collect(Collectors.toCollection(TreeSet::new)), files);
    }

    /** Where RouteStep sends each step: the state of the first rule that names it. */
    private static Map<String, String> routes() {
        Map<String, String> routes = new TreeMap<>();
        states.at("/RouteStep/Choices").forEach(choice -> stepsNamedBy(choice).forEach(step ->
                routes.putIfAbsent(step, choice.get("Next").asText())));
        return routes;
    }

    private static List<String> stepsNamedBy(JsonNode rule) {
        List<String> steps = new ArrayList<>();
        if (rule.has("StringEquals")) {
            assertEquals("$.plan.step", rule.get("Variable").asText());
            steps.add(rule.get("StringEquals").asText());
        }
        for (String operator : List.of("Or", "And")) {
            rule.path(operator).forEach(inner -> steps.addAll(stepsNamedBy(inner)));
        }
        return steps;
    }

    @Test
    @DisplayName("RouteStep routes every step, and only steps: a step with a document to RunNodeStep (GrowDataVolumes first"
        + " asks EC2 in its own state)")
    void routing() {
        Map<String, String> expected = new TreeMap<>();
        for (Step step : Step.values()) {
            expected.put(step.name(), switch (step) {
                case WaitForConnections -> "WaitForConnections";
                case WaitForResync -> "WaitForResync";
                case GrowDataVolumes -> "GrowDataVolumes";
                case ReleaseDepartingMembers -> "AwaitDeparture";
                case Converged -> "CompleteLifecycleActions";
                case NodeStepFailed -> "NodeStepFailed";
                default -> {
                    assertTrue(step.document().isPresent(), step + " has no document and no state");
                    yield "RunNodeStep";
                }
            });
        }
        assertEquals(expected, routes());
    }

    @Test
    @DisplayName("the state each step is routed to says the step's label")
    void labels() {
        routes().forEach((stepName, stateName) -> {
            Step step = Step.valueOf(stepName);
            JsonNode state = states.get(stateName);
            assertNotNull(state, "no state " + stateName);
            String comment = state.path("Comment").asText();
            assertTrue(comment.toLowerCase(Locale.ROOT).contains(step.label().toLowerCase(Locale.ROOT)),
                () -> stateName + ": Comment \"" + comment + "\" does not say the label of " + step + " \""
                    + step.label() + "\"");
        });
    }
}
