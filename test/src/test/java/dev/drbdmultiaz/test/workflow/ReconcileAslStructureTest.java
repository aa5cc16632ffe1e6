package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.functions.common.exceptions.RetryableException;
import dev.drbdmultiaz.infra.workflow.AslDefinitionLoader;
import dev.drbdmultiaz.infra.workflow.ReconcileWorkflow;
import dev.drbdmultiaz.infra.workflow.WorkflowHandler;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Structure of state-machines/reconcile.asl.json as deployed (loaded with the Task retry policy)
 * against docs/CONTRACTS.md and the construct.
 */
@DisplayName("reconcile.asl.json structure")
class ReconcileAslStructureTest {

    /** State names drawn in CONTRACTS.md, "Reconcile workflow". */
    static final Set<String> CONTRACT_STATES = new TreeSet<>(List.of(
            "FollowUpBackoff?", "WaitBeforeFollowUp",
            "AcquireClusterLock", "LockAcquired?", "CoalescedIntoRunningReconcile",
            "DescribeCluster", "ScanDataVolumes", "PlanVolumeTags", "TagMemberVolumes",
            "CheckAgentsOnline", "AgentsOnline?", "WaitForAgents", "HeartbeatWhileWaitingForAgents",
            "PlanNextStep", "RecordLifecycleHeartbeats", "RouteStep",
            "RunNodeStep", "WaitForCommand", "HeartbeatWhilePolling",
            "CollectCommandResults", "CommandFinished?", "NodeStepFailed", "WaitForConnections", "WaitForResync",
            "GrowDataVolumes", "ModifyDataVolumes", "WaitForVolumeGrowth", "AwaitDeparture", "Departed?", "WaitForDeparture",
            "HeartbeatWhileWaitingForDeparture",
            "CompleteLifecycleActions", "DescribeDataVolumes", "PlanDataVolumes", "TagDataVolumes",
            "DeleteDataVolumes", "ReportClusterStatus", "ReleaseClusterLock",
            "RerunRequested?", "AbandonPendingLaunches",
            "ReleaseClusterLockAfterFailure", "FollowUpRequested?", "StartFollowUpReconcile", "ReconcileFailed"));

    /**
     * States the definition adds to the contract's drawing: Pass states that turn a Choice
     * outcome into {@code $.error} (AgentsOffline is the error the contract names for exhausted
     * agents; UnexpectedResult is the Default of the routing Choices).
     */
    static final Set<String> ADDED_STATES = Set.of("AgentsOffline", "UnexpectedResult");

    /**
     * The data-volume states: Step Functions' EC2 integrations (resource by state, inside the Maps'
     * processors too) around the PlanVolumeTags and PlanDataVolumes Lambdas. After each
     * RecordLifecycleHeartbeats they only tag members' volumes; after CompleteLifecycleActions they
     * also delete. Their failure never fails a run: it is recorded in $.dataVolumeError and the run
     * goes on (to PlanNextStep, or to ReleaseClusterLock: the lifecycle actions are already complete).
     */
    /** Errors one Task retries beyond the shared policy, by design (see each error's class). */
    static final Map<String, String> TASK_SPECIFIC_RETRIES = Map.of(
            "DescribeCluster", "dev.drbdmultiaz.functions.common.exceptions.LaunchesPendingException");
    static final Map<String, String> EC2_TASKS = Map.of(
            "ScanDataVolumes", "arn:aws:states:::aws-sdk:ec2:describeVolumes",
            "TagMemberVolume", "arn:aws:states:::aws-sdk:ec2:createTags",
            "DescribeDataVolumes", "arn:aws:states:::aws-sdk:ec2:describeVolumes",
            "TagDataVolume", "arn:aws:states:::aws-sdk:ec2:createTags",
            "DeleteDataVolume", "arn:aws:states:::aws-sdk:ec2:deleteVolume",
            "ModifyDataVolume", "arn:aws:states:::aws-sdk:ec2:modifyVolume");
    /** Each data-volume state, with where its failure goes on. */
    static final Map<String, String> DATA_VOLUME_STATES = Map.of(
            "ScanDataVolumes", "PlanNextStep", "PlanVolumeTags", "PlanNextStep",
            "TagMemberVolumes", "PlanNextStep",
            "DescribeDataVolumes", "ReleaseClusterLock", "PlanDataVolumes", "ReleaseClusterLock",
            "TagDataVolumes", "ReleaseClusterLock", "DeleteDataVolumes", "ReleaseClusterLock");

    /** The failure path: entered with $.error set, never leads back into the reconcile. */
    static final Set<String> FAILURE_PATH = Set.of(
            "AbandonPendingLaunches", "ReleaseClusterLockAfterFailure", "FollowUpRequested?", "StartFollowUpReconcile",
            "ReconcileFailed");

    /**
     * Transient errors of a Lambda Task: the four the Step Functions developer guide names
     * ("Handle Lambda service exceptions": ClientExecutionTimeoutException, ServiceException,
     * AWSLambdaException, SdkClientException), throttling, and the Invoke API's SnapStart errors
     * that mean "try again" (SnapStartTimeoutException: restore timed out, HTTP 408;
     * SnapStartNotReadyException: the version is still initializing, HTTP 409).
     */
    static final List<String> LAMBDA_TRANSIENT_ERRORS = List.of(
            "Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException", "Lambda.AWSLambdaException",
            "Lambda.SdkClientException", "Lambda.TooManyRequestsException", "Lambda.SnapStartTimeoutException",
            "Lambda.SnapStartNotReadyException");

    static final Map<String, String> RESULT_PATHS = Map.ofEntries(
            Map.entry("AcquireClusterLock", "$.lock"),
            Map.entry("DescribeCluster", "$.cluster"),
            Map.entry("CheckAgentsOnline", "$.agents"),
            Map.entry("PlanNextStep", "$.plan"),
            Map.entry("RunNodeStep", "$.collected"),
            Map.entry("CollectCommandResults", "$.collected"),
            Map.entry("ReportClusterStatus", "$.report"),
            Map.entry("ReleaseClusterLock", "$.release"),
            Map.entry("RecordLifecycleHeartbeats", "$.heartbeat"),
            Map.entry("HeartbeatWhileWaitingForAgents", "$.heartbeat"),
            Map.entry("HeartbeatWhilePolling", "$.heartbeat"),
            Map.entry("AwaitDeparture", "$.departure"),
            Map.entry("HeartbeatWhileWaitingForDeparture", "$.heartbeat"),
            Map.entry("AbandonPendingLaunches", "$.abandon"),
            Map.entry("ReleaseClusterLockAfterFailure", "$.release"),
            Map.entry("StartFollowUpReconcile", "$.followUp"));

    /** Error names of the concrete RetryableException classes (Java reports the class name). */
    private static Set<String> RETRYABLE_HANDLER_ERRORS;

    private static JsonNode definition;
    private static JsonNode states;
    private static String text;

    @BeforeAll
    static void load() throws IOException {
        // As deployed: with the Task retry policy of state-machines/task-retry.json.
        definition = AslDefinitionLoader.load(WorkflowFixture.definitionFile());
        text = definition.toString();
        states = definition.get("States");
        RETRYABLE_HANDLER_ERRORS = concreteSubclasses(RetryableException.class);
        assertFalse(RETRYABLE_HANDLER_ERRORS.isEmpty(), "no concrete RetryableException found");
    }

    /** Concrete subclasses of {@code base} in its own package (the functions' exceptions package). */
    private static Set<String> concreteSubclasses(Class<?> base) throws IOException {
        String pkg = base.getPackageName();
        String dir = pkg.replace('.', '/') + "/";
        URL url = base.getClassLoader().getResource(dir);
        assertNotNull(url, "package " + pkg + " not on the classpath");
        List<String> classNames = new ArrayList<>();
        if ("jar".equals(url.getProtocol())) {
            String jarPath = url.getPath().substring("file:".length(), url.getPath().indexOf("!/"));
            try (JarFile jar = new JarFile(URLDecoder.decode(jarPath, StandardCharsets.UTF_8))) {
                jar.stream().map(JarEntry::getName)
                        .filter(n -> n.startsWith(dir) && n.endsWith(".class") && n.indexOf('/', dir.length()) < 0)
                        .forEach(n -> classNames.add(n.substring(0, n.length() - 6).replace('/', '.')));
            }
        } else {
            try (var files = Files.list(Path.of(URI.create(url.toString())))) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                        .forEach(n -> classNames.add(pkg + "." + n.substring(0, n.length() - 6)));
            }
        }
        Set<String> result = new TreeSet<>();
        for (String className : classNames) {
            try {
                Class<?> type = Class.forName(className, false, base.getClassLoader());
                if (base.isAssignableFrom(type) && !Modifier.isAbstract(type.getModifiers())) {
                    result.add(type.getName());
                }
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("listed but not loadable: " + className, e);
            }
        }
        return result;
    }

    @Test
    @DisplayName("no Pass state rewrites the plan, and a connection wait goes straight back to the node step")
    void noStateRenamesTheRound() {
        states.properties().forEach(e -> {
            JsonNode state = e.getValue();
            if ("Pass".equals(state.path("Type").asText())) {
                String resultPath = state.path("ResultPath").asText("$");
                assertFalse(resultPath.startsWith("$.plan") || (resultPath.equals("$") && (state.has("Result")
                        || state.has("Parameters"))), e.getKey() + " writes " + resultPath
                        + ": the collector reads $.plan.step to count the round (a WaitForConnections"
                        + " relabelled as ObserveNodes never advances the bound)");
            }
        });
        assertEquals("RunNodeStep", states.path("WaitForConnections").path("Next").asText(),
                "WaitForConnections must not pass through a state that renames the round");
        assertEquals("RunNodeStep", states.path("WaitForResync").path("Next").asText(),
                "WaitForResync must not pass through a state that renames the round");
    }

    @Test
    @DisplayName("a node step costs three transitions: PlanNextStep, RouteStep, RunNodeStep and back")
    void roundIsThreeStates() {
        assertEquals("RouteStep", states.at("/PlanNextStep/Next").asText());
        boolean routed = false;
        for (JsonNode choice : states.at("/RouteStep/Choices")) {
            routed |= "RunNodeStep".equals(choice.path("Next").asText());
        }
        assertTrue(routed, "RouteStep never leads to RunNodeStep");
        assertEquals("PlanNextStep", states.at("/RunNodeStep/Next").asText());
    }

    @Test
    @DisplayName("RunNodeStep waits for its task token with the state, the step and a timeout from the plan")
    void runNodeStepWaitsForItsToken() {
        JsonNode run = states.get("RunNodeStep");
        assertEquals("arn:aws:states:::lambda:invoke.waitForTaskToken", run.path("Resource").asText());
        assertEquals("${SendNodeCommandFunction}", run.at("/Parameters/FunctionName").asText());
        assertEquals("$$.Task.Token", run.at("/Parameters/Payload/taskToken.$").asText());
        assertEquals("$.plan.step", run.at("/Parameters/Payload/step.$").asText());
        assertEquals("$", run.at("/Parameters/Payload/state.$").asText());
        assertEquals("$.plan.commandTimeoutSeconds", run.path("TimeoutSecondsPath").asText());
        JsonNode timeout = run.path("Catch").get(0);
        assertEquals("[\"States.Timeout\"]", timeout.get("ErrorEquals").toString(), "the timeout is caught first");
        assertEquals("CollectCommandResults", timeout.get("Next").asText(), "a timeout falls back to polling");
        assertFalse(timeout.path("ResultPath").asText().equals("$.error"),
                "the fallback is no failure: $.error would make a later success look failed");
    }

    @Test
    @DisplayName("state names are the contract's states plus the documented additions")
    void stateNamesMatchContract() throws IOException {
        Set<String> expected = new TreeSet<>(CONTRACT_STATES);
        expected.addAll(ADDED_STATES);
        assertEquals(expected, new TreeSet<>(names()));
        String contracts = Files.readString(WorkflowFixture.projectRoot().resolve("docs/CONTRACTS.md"));
        for (String name : CONTRACT_STATES) {
            assertTrue(contracts.contains(name), "CONTRACTS.md no longer names state " + name
                    + ": update the contract or this test");
        }
        assertTrue(contracts.contains("AgentsOffline"), "CONTRACTS.md names the AgentsOffline error");
    }

    @Test
    @DisplayName("every Task retries transient Lambda errors and every concrete RetryableException, with backoff and jitter")
    void everyTaskRetries() {
        forEachState("Task", (name, state) -> {
            JsonNode retry = state.get("Retry");
            assertTrue(retry != null && retry.isArray() && !retry.isEmpty(), name + " has no Retry");
            Set<String> retried = new LinkedHashSet<>();
            for (JsonNode rule : retry) {
                rule.get("ErrorEquals").forEach(e -> retried.add(e.asText()));
                assertTrue(rule.path("BackoffRate").asDouble() > 1.0, name + ": Retry without backoff");
                assertEquals("FULL", rule.path("JitterStrategy").asText(), name + ": Retry without jitter");
                assertTrue(rule.path("MaxAttempts").asInt() >= 1, name + ": Retry without attempts");
                assertFalse(rule.get("ErrorEquals").toString().contains("States.ALL"),
                        name + ": retrying States.ALL would retry terminal errors");
            }
            assertTrue(retried.containsAll(LAMBDA_TRANSIENT_ERRORS), name + " retries only " + retried);
            assertTrue(retried.containsAll(RETRYABLE_HANDLER_ERRORS),
                    name + " does not retry every concrete RetryableException " + RETRYABLE_HANDLER_ERRORS);
            for (String error : retried) {
                // An EC2 integration's errors are Ec2.<code>Exception (developer guide, "AWS SDK service integrations").
                boolean ec2Transient = EC2_TASKS.containsKey(name) && error.startsWith("Ec2.");
                boolean ownRetry = error.equals(TASK_SPECIFIC_RETRIES.get(name));
                assertTrue(error.startsWith("Lambda.") || RETRYABLE_HANDLER_ERRORS.contains(error) || ec2Transient
                        || ownRetry,
                        name + " retries " + error + ", which is no concrete RetryableException of the functions");
            }
        });
    }

    @Test
    @DisplayName("every Task catches States.ALL: into the failure path, or straight to the Fail state")
    void everyTaskCatches() {
        forEachState("Task", (name, state) -> {
            JsonNode catches = state.get("Catch");
            // RunNodeStep catches its callback timeout first (the polling fallback), then everything.
            int expected = name.equals("RunNodeStep") ? 2 : 1;
            assertTrue(catches != null && catches.isArray() && catches.size() == expected,
                    name + " has not exactly " + expected + " Catch rule(s)");
            JsonNode rule = catches.get(expected - 1);
            assertEquals("[\"States.ALL\"]", rule.get("ErrorEquals").toString(), name);
            String target = rule.get("Next").asText();
            String resultPath = rule.get("ResultPath").asText();
            if (DATA_VOLUME_STATES.containsKey(name)) {
                assertEquals(DATA_VOLUME_STATES.get(name), target, name);
                assertEquals("$.dataVolumeError", resultPath, name);
            } else if (name.equals("AcquireClusterLock")) {
                // No lock is held yet: nothing to abandon or release.
                assertEquals("ReconcileFailed", target, name);
                assertEquals("$.error", resultPath, name);
            } else if (FAILURE_PATH.contains(name)) {
                // Keep the original $.error; move forward on the failure path only.
                assertTrue(FAILURE_PATH.contains(target) && !target.equals(name), name + " catches into " + target);
                assertEquals("$.cleanupError", resultPath, name);
            } else {
                assertEquals("AbandonPendingLaunches", target, name);
                assertEquals("$.error", resultPath, name);
            }
        });
    }

    @Test
    @DisplayName("the failure path never leads back into the reconcile and ends in ReconcileFailed")
    void failurePathDoesNotLoop() {
        Set<String> reachable = reachableFrom("AbandonPendingLaunches");
        assertEquals(FAILURE_PATH, reachable);
        JsonNode fail = states.get("ReconcileFailed");
        assertEquals("Fail", fail.get("Type").asText());
        assertEquals("$.error.Error", fail.path("ErrorPath").asText());
        assertEquals("$.error.Cause", fail.path("CausePath").asText());
    }

    @Test
    @DisplayName("every transition, Choice branch and Catch points at an existing state")
    void everyTargetExists() {
        Set<String> names = names();
        for (String name : names) {
            for (String target : targets(states.get(name))) {
                assertTrue(names.contains(target), name + " points at missing state " + target);
            }
        }
    }

    @Test
    @DisplayName("every state is reachable from StartAt")
    void everyStateReachable() {
        assertEquals(new TreeSet<>(names()), new TreeSet<>(reachableFrom(definition.get("StartAt").asText())));
    }

    @Test
    @DisplayName("every Choice has a Default")
    void everyChoiceHasDefault() {
        forEachState("Choice", (name, state) ->
                assertTrue(state.hasNonNull("Default"), name + " has no Default"));
    }

    @Test
    @DisplayName("every Wait takes its seconds from a Lambda result (SecondsPath), so a time scale applies")
    void everyWaitUsesSecondsPath() {
        Map<String, String> expected = Map.of(
                "WaitForAgents", "$.agents.waitSeconds",
                "WaitForDeparture", "$.departure.waitSeconds",
                "WaitForCommand", "$.plan.pollSeconds",
                "WaitForConnections", "$.plan.waitSeconds",
                "WaitForResync", "$.plan.waitSeconds",
                "WaitForVolumeGrowth", "$.plan.waitSeconds",
                "WaitBeforeFollowUp", "$.trigger.backoffSeconds");
        Map<String, String> actual = new HashMap<>();
        forEachState("Wait", (name, state) -> {
            assertFalse(state.has("Seconds") || state.has("Timestamp") || state.has("TimestampPath"),
                    name + " waits a fixed time");
            actual.put(name, state.path("SecondsPath").asText(null));
        });
        assertEquals(expected, actual);
    }

    @Test
    @DisplayName("every Task invokes a handler alias through a substitution and stores its result at the contract path")
    void tasksInvokeHandlerAliases() {
        forEachState("Task", (name, state) -> {
            String handlerState = switch (name) {
                case "ReleaseClusterLockAfterFailure" -> "ReleaseClusterLock";
                case "HeartbeatWhileWaitingForAgents", "HeartbeatWhilePolling", "HeartbeatWhileWaitingForDeparture" ->
                    "RecordLifecycleHeartbeats";
                default -> name;
            };
            if (name.equals("RunNodeStep") || EC2_TASKS.containsKey(name)) {
                return; // the callback task (runNodeStepWaitsForItsToken), the EC2 integrations (dataVolumeStates)
            }
            assertEquals("${" + handlerState + "Function}", state.get("Resource").asText(), name);
            assertEquals("$", state.path("InputPath").asText("$"), name + " must receive the whole state");
            if (!name.equals("AcquireClusterLock")) {
                assertFalse(state.has("Parameters"), name + " must receive the whole state, not Parameters");
            }
            if (RESULT_PATHS.containsKey(name)) {
                assertEquals(RESULT_PATHS.get(name), state.get("ResultPath").asText(), name);
            }
        });
    }

    @Test
    @DisplayName("after each RecordLifecycleHeartbeats: scan, plan the tags, tag the members' data volumes, then"
            + " PlanNextStep, each failure caught into PlanNextStep; nothing deleted there")
    void memberVolumeTagStates() {
        assertEquals("ScanDataVolumes", states.at("/RecordLifecycleHeartbeats/Next").asText());
        assertEquals(List.of("PlanVolumeTags", "TagMemberVolumes", "PlanNextStep"),
                List.of(states.at("/ScanDataVolumes/Next").asText(), states.at("/PlanVolumeTags/Next").asText(),
                        states.at("/TagMemberVolumes/Next").asText()));
        assertEquals(states.at("/DescribeDataVolumes/Parameters"), states.at("/ScanDataVolumes/Parameters"));
        assertEquals("${PlanVolumeTagsFunction}", states.at("/PlanVolumeTags/Resource").asText());
        assertEquals("$.volumeTags", states.at("/PlanVolumeTags/ResultPath").asText(), "$.volumes is PlanDataVolumes' alone");
        assertEquals("$.volumeTags.tag", states.at("/TagMemberVolumes/ItemsPath").asText());
        assertEquals(EC2_TASKS.get("TagMemberVolume"),
                states.at("/TagMemberVolumes/ItemProcessor/States/TagMemberVolume/Resource").asText());
        assertEquals(1, text.split("aws-sdk:ec2:deleteVolume", -1).length - 1,
                "only DeleteDataVolume, after a converged round, deletes");
        for (String name : List.of("ScanDataVolumes", "PlanVolumeTags", "TagMemberVolumes")) {
            assertEquals("$.dataVolumeError", states.at("/" + name + "/Catch/0/ResultPath").asText(), name);
            assertEquals("PlanNextStep", states.at("/" + name + "/Catch/0/Next").asText(), name);
        }
    }

    @Test
    @DisplayName("GrowDataVolumes: ModifyVolume per planned volume only when the plan lists one, EC2's refusal kept per"
            + " volume for the planner, never retried when unanswered; then wait and observe in RunNodeStep")
    void growDataVolumesBranch() {
        JsonNode route = states.at("/RouteStep/Choices");
        boolean routed = false;
        for (JsonNode choice : route) {
            routed |= "GrowDataVolumes".equals(choice.path("StringEquals").asText())
                    && "GrowDataVolumes".equals(choice.path("Next").asText());
        }
        assertTrue(routed, "RouteStep routes GrowDataVolumes to its own state");
        assertEquals("$.plan.volumes[0]", states.at("/GrowDataVolumes/Choices/0/Variable").asText());
        assertEquals("ModifyDataVolumes", states.at("/GrowDataVolumes/Choices/0/Next").asText());
        assertEquals("WaitForVolumeGrowth", states.at("/GrowDataVolumes/Default").asText(),
                "nothing new to ask for: only wait and observe");
        JsonNode map = states.get("ModifyDataVolumes");
        assertEquals("$.plan.volumes", map.get("ItemsPath").asText());
        assertEquals("$.volumeGrowth", map.get("ResultPath").asText());
        assertEquals("WaitForVolumeGrowth", map.get("Next").asText());
        assertTrue(FAILURE_PATH.contains(map.at("/Catch/0/Next").asText()), map.at("/Catch").toString());
        JsonNode modify = map.at("/ItemProcessor/States/ModifyDataVolume");
        assertEquals(EC2_TASKS.get("ModifyDataVolume"), modify.get("Resource").asText());
        assertEquals("{\"VolumeId.$\":\"$.VolumeId\",\"Size.$\":\"$.Size\"}", modify.get("Parameters").toString(),
                "only ModifyVolume's own fields, from the plan's items");
        for (JsonNode retry : modify.get("Retry")) {
            assertFalse(retry.get("ErrorEquals").toString().contains("Ec2.SdkClientException"),
                    "an unanswered ModifyVolume may have been applied: a retry would be refused");
        }
        assertEquals("$.error", modify.at("/Catch/0/ResultPath").asText());
        assertEquals("[\"States.ALL\"]", modify.at("/Catch/0/ErrorEquals").toString());
        assertEquals("RunNodeStep", states.at("/WaitForVolumeGrowth/Next").asText());
        assertEquals("$.plan.waitSeconds", states.at("/WaitForVolumeGrowth/SecondsPath").asText());
    }

    @Test
    @DisplayName("after CompleteLifecycleActions: scan, plan, tag, delete the data volumes, then ReleaseClusterLock,"
            + " each failure caught into ReleaseClusterLock")
    void dataVolumeStates() {
        assertEquals("DescribeDataVolumes", states.at("/CompleteLifecycleActions/Next").asText());
        assertEquals(List.of("PlanDataVolumes", "TagDataVolumes", "DeleteDataVolumes", "ReleaseClusterLock"),
                List.of(states.at("/DescribeDataVolumes/Next").asText(), states.at("/PlanDataVolumes/Next").asText(),
                        states.at("/TagDataVolumes/Next").asText(), states.at("/DeleteDataVolumes/Next").asText()));
        assertEquals(EC2_TASKS.get("DescribeDataVolumes"), states.at("/DescribeDataVolumes/Resource").asText());
        assertEquals("tag:${ClusterTagKey}", states.at("/DescribeDataVolumes/Parameters/Filters/0/Name").asText());
        assertEquals("${ClusterId}", states.at("/DescribeDataVolumes/Parameters/Filters/0/Values/0").asText());
        assertEquals("$.dataVolumeScan", states.at("/DescribeDataVolumes/ResultPath").asText());
        assertEquals("${PlanDataVolumesFunction}", states.at("/PlanDataVolumes/Resource").asText());
        assertEquals("$.volumes", states.at("/PlanDataVolumes/ResultPath").asText());
        for (String map : List.of("TagDataVolumes", "DeleteDataVolumes")) {
            JsonNode state = states.get(map);
            assertEquals("Map", state.get("Type").asText(), map);
            assertTrue(state.get("ResultPath").isNull(), map + " keeps the state document as it is");
            assertEquals("[\"States.ALL\"]", state.at("/Catch/0/ErrorEquals").toString(), map);
            assertEquals("$.dataVolumeError", state.at("/Catch/0/ResultPath").asText(), map);
            assertEquals("ReleaseClusterLock", state.at("/Catch/0/Next").asText(), map);
        }
        assertEquals("$.volumes.tag", states.at("/TagDataVolumes/ItemsPath").asText());
        assertEquals(EC2_TASKS.get("TagDataVolume"),
                states.at("/TagDataVolumes/ItemProcessor/States/TagDataVolume/Resource").asText());
        assertEquals("$.volumes.delete", states.at("/DeleteDataVolumes/ItemsPath").asText());
        JsonNode delete = states.at("/DeleteDataVolumes/ItemProcessor/States/DeleteDataVolume");
        assertEquals(EC2_TASKS.get("DeleteDataVolume"), delete.get("Resource").asText());
        // Only the API's own field: Step Functions refuses a parameter DeleteVolume does not have.
        assertEquals(List.of("VolumeId.$"), iterableToList(delete.get("Parameters").fieldNames()));
    }

    private static List<String> iterableToList(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    @Test
    @DisplayName("every substitution variable of the definition is provided by ReconcileWorkflow, and none is unused")
    void substitutionsProvidedByConstruct() {
        Set<String> used = new TreeSet<>();
        Matcher matcher = Pattern.compile("\\$\\{([^}]+)}").matcher(text);
        while (matcher.find()) {
            used.add(matcher.group(1));
        }
        assertEquals(ReconcileWorkflow.definitionSubstitutionKeys(), used);
        Set<String> handlerStates = new TreeSet<>();
        WorkflowHandler.stateMachineHandlers().forEach(h -> handlerStates.add(
                h == WorkflowHandler.SEND_NODE_COMMAND ? "RunNodeStep" : h.id()));
        assertTrue(names().containsAll(handlerStates), "a handler has no state: " + handlerStates);
    }

    @Test
    @DisplayName("NodeStepFailed names the step, the node, the exit code and the stderr tail")
    void nodeStepFailedBuildsError() {
        JsonNode state = states.get("NodeStepFailed");
        assertEquals("Pass", state.get("Type").asText());
        assertEquals("$.error", state.get("ResultPath").asText());
        assertEquals("NodeStepFailed", state.at("/Parameters/Error").asText());
        assertEquals("States.Format('Step {} failed on {} (exit {}): {}', $.collected.failure.step, "
                        + "$.collected.failure.instanceId, $.collected.failure.exitCode, $.collected.failure.stderrTail)",
                state.at("/Parameters/Cause.$").asText());
        assertEquals("AbandonPendingLaunches", state.get("Next").asText());
        assertEquals("AgentsOffline", states.at("/AgentsOffline/Parameters/Error").asText());
    }

    @Test
    @DisplayName("the lock receives this execution's ARN, the only input it needs")
    void lockReceivesExecutionArn() {
        assertEquals("FollowUpBackoff?", definition.get("StartAt").asText());
        assertEquals("AcquireClusterLock", states.at("/FollowUpBackoff?/Default").asText());
        assertEquals("AcquireClusterLock", states.at("/WaitBeforeFollowUp/Next").asText());
        assertEquals("$$.Execution.Id", states.at("/AcquireClusterLock/Parameters/executionArn.$").asText());
        assertEquals("$.release.rerun", states.at("/RerunRequested?/Choices/0/Variable").asText());
        assertEquals("DescribeCluster", states.at("/RerunRequested?/Choices/0/Next").asText());
    }

    @Test
    @DisplayName("success outputs the cluster report; a coalesced trigger ends without touching the cluster")
    void successOutputsReport() {
        JsonNode report = states.get("ReportClusterStatus");
        assertTrue(report.path("End").asBoolean(), "the report ends a successful run (no Succeed state after it)");
        assertEquals("$.report", report.path("OutputPath").asText());
        assertEquals("ReportClusterStatus", states.at("/RerunRequested?/Default").asText(),
                "built once, after the last rerun: no report is carried through the loop");
        assertEquals("Succeed", states.at("/CoalescedIntoRunningReconcile/Type").asText());
        assertEquals("CoalescedIntoRunningReconcile", states.at("/LockAcquired?/Default").asText());
    }

    @Test
    @DisplayName("every loop heartbeats the group's lifecycle actions when Java says one is due, before it waits again")
    void loopsHeartbeat() {
        assertEquals("$.plan.heartbeat", states.at("/RouteStep/Choices/1/Variable").asText(),
                "the heartbeat comes before any step is routed");
        assertEquals("RecordLifecycleHeartbeats", states.at("/RouteStep/Choices/1/Next").asText());
        assertEquals("ScanDataVolumes", states.at("/RecordLifecycleHeartbeats/Next").asText(),
                "tags the members' data volumes (memberVolumeTagStates), then plans again");
        assertEquals("PlanNextStep", states.at("/TagMemberVolumes/Next").asText(),
                "plans again with the heartbeat recorded (PlanNextStep then clears the flag)");
        JsonNode agents = states.at("/AgentsOnline?/Choices");
        assertEquals("$.agents.heartbeatDue", agents.get(agents.size() - 1).get("Variable").asText());
        assertEquals("HeartbeatWhileWaitingForAgents", agents.get(agents.size() - 1).get("Next").asText());
        assertEquals("WaitForAgents", states.at("/HeartbeatWhileWaitingForAgents/Next").asText());
        boolean polled = false;
        for (JsonNode choice : states.at("/CommandFinished?/Choices")) {
            if ("HeartbeatWhilePolling".equals(choice.path("Next").asText())) {
                assertEquals("[{\"Variable\":\"$.collected.status\",\"StringEquals\":\"Pending\"},"
                    + "{\"Variable\":\"$.collected.heartbeatDue\",\"BooleanEquals\":true}]", choice.get("And").toString());
                polled = true;
            }
            if ("WaitForCommand".equals(choice.path("Next").asText())) {
                assertTrue(polled, "the heartbeat rule must come before the plain Pending rule");
            }
        }
        assertTrue(polled, "CommandFinished? never heartbeats");
        assertEquals("WaitForCommand", states.at("/HeartbeatWhilePolling/Next").asText());
        JsonNode departure = states.at("/Departed?/Choices");
        assertEquals("$.departure.departed", departure.get(0).get("Variable").asText());
        assertEquals("DescribeCluster", departure.get(0).get("Next").asText(), "the group is described again");
        assertEquals("$.departure.heartbeatDue", departure.get(1).get("Variable").asText());
        assertEquals("HeartbeatWhileWaitingForDeparture", departure.get(1).get("Next").asText());
        assertEquals("WaitForDeparture", states.at("/HeartbeatWhileWaitingForDeparture/Next").asText());
        assertEquals("AwaitDeparture", states.at("/WaitForDeparture/Next").asText());
    }

    @Test
    @DisplayName("a failed run starts a follow-up when the lock release asks for one, then fails")
    void failureStartsFollowUp() {
        assertEquals("FollowUpRequested?", states.at("/ReleaseClusterLockAfterFailure/Next").asText());
        assertEquals("$.release.followUp", states.at("/FollowUpRequested?/Choices/0/Variable").asText());
        assertEquals("StartFollowUpReconcile", states.at("/FollowUpRequested?/Choices/0/Next").asText());
        assertEquals("ReconcileFailed", states.at("/FollowUpRequested?/Default").asText());
        assertEquals("ReconcileFailed", states.at("/StartFollowUpReconcile/Next").asText());
    }

    private static Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        states.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void forEachState(String type, BiConsumer<String, JsonNode> check) {
        int seen = 0;
        for (String name : names()) {
            JsonNode state = states.get(name);
            if (type.equals(state.get("Type").asText())) {
                check.accept(name, state);
                seen++;
            }
        }
        assertTrue(seen > 0, "no state of type " + type);
    }

    private static List<String> targets(JsonNode state) {
        List<String> targets = new ArrayList<>();
        if (state.hasNonNull("Next")) {
            targets.add(state.get("Next").asText());
        }
        if (state.hasNonNull("Default")) {
            targets.add(state.get("Default").asText());
        }
        state.path("Choices").forEach(choice -> targets.add(choice.get("Next").asText()));
        state.path("Catch").forEach(rule -> targets.add(rule.get("Next").asText()));
        return targets;
    }

    private static Set<String> reachableFrom(String start) {
        Set<String> seen = new LinkedHashSet<>();
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String name = queue.poll();
            if (seen.add(name) && states.has(name)) {
                queue.addAll(targets(states.get(name)));
            }
        }
        return seen;
    }
}
