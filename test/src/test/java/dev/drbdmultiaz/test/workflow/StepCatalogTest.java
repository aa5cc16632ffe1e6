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
import java.util.Arrays;
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

    @Test
    @DisplayName("RouteStep routes every step, and only steps, to the state of its name")
    void routing() {
        Map<String, String> routes = new TreeMap<>();
        states.at("/RouteStep/Choices").forEach(choice -> {
            if (choice.has("StringEquals")) {
                assertEquals("$.plan.step", choice.get("Variable").asText());
                routes.put(choice.get("StringEquals").asText(), choice.get("Next").asText());
            }
        });
        Map<String, String> expected = new TreeMap<>();
        Arrays.stream(Step.values()).forEach(step -> expected.put(step.name(), step.name()));
        assertEquals(expected, routes);
    }

    @Test
    @DisplayName("each step's state says the step's label and leads where the step goes")
    void labels() {
        for (Step step : Step.values()) {
            JsonNode state = states.get(step.name());
            assertNotNull(state, "no state " + step);
            String comment = state.path("Comment").asText();
            assertTrue(comment.toLowerCase(Locale.ROOT).contains(step.label().toLowerCase(Locale.ROOT)),
                () -> step + ": Comment \"" + comment + "\" does not say its label \"" + step.label() + "\"");
            String next = switch (step) {
                case Converged -> "CompleteLifecycleActions";
                case ReleaseDepartingMembers -> "AwaitDeparture";
                default -> "SendNodeCommand";
            };
            assertEquals(next, state.path("Next").asText(), step.name());
            assertEquals(step == Step.WaitForConnections ? "Wait" : "Pass", state.path("Type").asText(), step.name());
        }
    }
}
