package dev.drbdmultiaz.test.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.infra.workflow.AslDefinitionLoader;
import dev.drbdmultiaz.infra.workflow.DeployTrigger;
import dev.drbdmultiaz.infra.workflow.NodeCommandEvents;
import dev.drbdmultiaz.infra.workflow.ReconcileWorkflow;
import dev.drbdmultiaz.infra.workflow.WorkflowFunction;
import dev.drbdmultiaz.infra.workflow.WorkflowHandler;
import dev.drbdmultiaz.model.ClusterTags;
import dev.drbdmultiaz.model.LoggedAlarms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** Key properties of the synthesized workflow (no snapshot). */
@DisplayName("ReconcileWorkflow template")
class ReconcileWorkflowTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static WorkflowFixture.Synth synth;
    private static Template template;
    private static JsonNode resources;
    private static String groupId;

    @BeforeAll
    static void synthesize() {
        synth = WorkflowFixture.create(Duration.minutes(15));
        template = Template.fromStack(synth.stack());
        resources = JSON.valueToTree(template.toJSON()).get("Resources");
        groupId = logicalIds("AWS::AutoScaling::AutoScalingGroup").get(0);
    }

    @Test
    @DisplayName("one java21 SnapStart function per handler, with JSON logs and the handler's class")
    void oneFunctionPerHandler() {
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            List<JsonNode> matches = resourcesOfType("AWS::Lambda::Function").stream()
                    .filter(fn -> handler.handler().equals(fn.at("/Properties/Handler").asText()))
                    .toList();
            assertEquals(1, matches.size(), "functions for " + handler.handler());
            JsonNode props = matches.get(0).get("Properties");
            assertEquals("java21", props.get("Runtime").asText(), handler.id());
            assertEquals("PublishedVersions", props.at("/SnapStart/ApplyOn").asText(), handler.id());
            assertEquals("JSON", props.at("/LoggingConfig/LogFormat").asText(), handler.id());
            assertEquals(1024, props.get("MemorySize").asInt(), handler.id());
            assertEquals(handler.timeout().toSeconds().intValue(), props.get("Timeout").asInt(), handler.id());
            JsonNode env = props.at("/Environment/Variables");
            for (String name : List.of("CLUSTER_TABLE_NAME", "AUTO_SCALING_GROUP_NAME", "LAUNCH_HOOK_NAME",
                    "TERMINATE_HOOK_NAME", "CLUSTER_ID", "RESOURCE_NAME", "DRBD_PORT", "VOLUME_GROUP", "THIN_POOL",
                    "LOGICAL_VOLUME", "MAX_PEERS", "SECRET_ARN", "DOCUMENT_INSTALL",
                    "DOCUMENT_PREPARE_LVM", "DOCUMENT_WRITE_CONFIG", "DOCUMENT_CREATE_MD", "DOCUMENT_UP",
                    "DOCUMENT_SKIP_INITIAL_SYNC", "DOCUMENT_STATUS", "DOCUMENT_FORGET_PEER", "DOCUMENT_RESIZE",
                    "DOCUMENT_GROW_BACKING", "POLL_SECONDS",
                    "AGENT_WAIT_MAX_ATTEMPTS", "CONNECT_WAIT_MAX_ATTEMPTS", "LIFECYCLE_HOOK_TIMEOUT_SECONDS", "EVICT_AFTER_SECONDS")) {
                assertTrue(env.has(name), handler.id() + " misses environment variable " + name);
            }
            boolean startsExecutions = !handler.invokedByStateMachine() && handler != WorkflowHandler.COMPLETE_NODE_COMMAND
                    || handler == WorkflowHandler.START_FOLLOW_UP_RECONCILE;
            assertEquals(startsExecutions, env.has("STATE_MACHINE_ARN"),
                    handler.id() + ": only the functions that start executions know the state machine");
            if (handler == WorkflowHandler.START_FOLLOW_UP_RECONCILE) {
                String arn = env.get("STATE_MACHINE_ARN").toString();
                String machineId = logicalIds("AWS::StepFunctions::StateMachine").get(0);
                assertTrue(arn.contains(":stateMachine:" + synth.stateMachineName()) && !arn.contains(machineId),
                        "built from the name, not a Ref (the state machine invokes this function: a cycle): " + arn);
            }
            assertEquals("{\"Ref\":\"" + groupId + "\"}", env.get("AUTO_SCALING_GROUP_NAME").toString());
        }
    }

    @Test
    @DisplayName("every handler function has a 'live' alias on a published version")
    void aliasPerFunction() {
        List<JsonNode> aliases = resourcesOfType("AWS::Lambda::Alias");
        assertEquals(WorkflowHandler.values().length, aliases.size());
        for (JsonNode alias : aliases) {
            assertEquals(WorkflowFunction.ALIAS_NAME, alias.at("/Properties/Name").asText());
            String versionId = alias.at("/Properties/FunctionVersion/Fn::GetAtt/0").asText();
            assertEquals("AWS::Lambda::Version", resources.at("/" + versionId + "/Type").asText());
        }
    }

    @Test
    @DisplayName("the state machine gets alias ARNs (never $LATEST) for every substitution variable")
    void stateMachineInvokesAliases() {
        JsonNode machine = single("AWS::StepFunctions::StateMachine", Map.of("StateMachineType", "STANDARD"));
        JsonNode substitutions = machine.at("/Properties/DefinitionSubstitutions");
        Set<String> keys = new TreeSet<>();
        substitutions.fieldNames().forEachRemaining(keys::add);
        assertEquals(ReconcileWorkflow.definitionSubstitutionKeys(), keys);
        assertEquals(ClusterTags.CLUSTER, substitutions.path(ReconcileWorkflow.CLUSTER_TAG_KEY_SUBSTITUTION).asText());
        assertEquals(WorkflowFixture.CLUSTER_ID, substitutions.path(ReconcileWorkflow.CLUSTER_ID_SUBSTITUTION).asText());
        substitutions.properties().forEach(entry -> {
            if (entry.getKey().equals(ReconcileWorkflow.CLUSTER_TAG_KEY_SUBSTITUTION)
                    || entry.getKey().equals(ReconcileWorkflow.CLUSTER_ID_SUBSTITUTION)) {
                return;
            }
            String ref = entry.getValue().path("Ref").asText();
            assertEquals("AWS::Lambda::Alias", resources.at("/" + ref + "/Type").asText(),
                    entry.getKey() + " must be a Ref to an alias, got " + entry.getValue());
        });
        assertFalse(machine.toString().contains("$LATEST"));
        assertEquals("ALL", machine.at("/Properties/LoggingConfiguration/Level").asText());
        assertTrue(machine.at("/Properties/LoggingConfiguration/IncludeExecutionData").asBoolean());
        assertTrue(machine.at("/Properties/TracingConfiguration/Enabled").asBoolean());
        // The state machine role may invoke exactly the aliases.
        List<String> invoked = new ArrayList<>();
        statements().stream()
                .filter(s -> actions(s).contains("lambda:InvokeFunction"))
                .filter(s -> s.toString().contains("Ref"))
                .forEach(s -> resourcesOf(s).forEach(r -> invoked.add(r.path("Ref").asText())));
        for (JsonNode ref : substitutions) {
            assertTrue(!ref.has("Ref") || invoked.contains(ref.get("Ref").asText()), "no invoke grant on " + ref);
        }
    }

    @Test
    @DisplayName("lifecycle rules match this group's hooks, the re-adjust rule this cluster's event; all target the trigger alias")
    void eventRules() {
        String triggerAlias = aliasOf(WorkflowHandler.TRIGGER_RECONCILE);
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.autoscaling"),
                "detail-type", List.of("EC2 Instance-launch Lifecycle Action"),
                "detail", Map.of("AutoScalingGroupName", List.of(Map.of("Ref", groupId)),
                        "LifecycleHookName", List.of(WorkflowFixture.LAUNCH_HOOK)))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.autoscaling"),
                "detail-type", List.of("EC2 Instance-terminate Lifecycle Action"),
                "detail", Map.of("AutoScalingGroupName", List.of(Map.of("Ref", groupId)),
                        "LifecycleHookName", List.of(WorkflowFixture.TERMINATE_HOOK)))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("drbd-multiaz"),
                "detail-type", List.of("Reconcile Requested"),
                "detail", Map.of("clusterId", List.of(WorkflowFixture.CLUSTER_ID)))));
        template.hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "rate(15 minutes)"));
        List<JsonNode> rules = resourcesOfType("AWS::Events::Rule").stream()
                .filter(rule -> !NodeCommandEvents.SOURCE.equals(rule.at("/Properties/EventPattern/source/0").asText()))
                .toList();
        assertEquals(4, rules.size());
        for (JsonNode rule : rules) {
            JsonNode targets = rule.at("/Properties/Targets");
            assertEquals(1, targets.size());
            JsonNode target = targets.get(0);
            assertEquals(triggerAlias, target.at("/Arn/Ref").asText(), "rule target is the trigger alias");
            assertTrue(target.at("/RetryPolicy/MaximumRetryAttempts").asInt() > 0, "target retries");
            String dlq = target.at("/DeadLetterConfig/Arn/Fn::GetAtt/0").asText();
            assertEquals("AWS::SQS::Queue", resources.at("/" + dlq + "/Type").asText(), "target has a DLQ");
        }
        // Events the trigger handler rejects also end in the queue (asynchronous invocation).
        String dlq = logicalIds("AWS::SQS::Queue").get(0);
        template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", Map.of(
                "FunctionName", Map.of("Ref", logicalId(
                        synth.workflow().getHandlerAlias(WorkflowHandler.TRIGGER_RECONCILE)
                                .getNode().getScope().getNode().findChild("Function"))),
                "MaximumRetryAttempts", 2,
                "DestinationConfig", Map.of("OnFailure", Map.of(
                        "Destination", Map.of("Fn::GetAtt", List.of(dlq, "Arn"))))));
    }

    @Test
    @DisplayName("SSM's terminal command events of the cluster's eight documents complete node steps through the completion alias")
    void nodeCommandEventRule() {
        List<JsonNode> rules = resourcesOfType("AWS::Events::Rule").stream()
                .filter(rule -> NodeCommandEvents.SOURCE.equals(rule.at("/Properties/EventPattern/source/0").asText()))
                .toList();
        assertEquals(1, rules.size());
        JsonNode pattern = rules.get(0).at("/Properties/EventPattern");
        assertEquals("[\"EC2 Command Status-change Notification\"]", pattern.get("detail-type").toString());
        assertEquals("[\"Success\",\"Cancelled\",\"Failed\",\"TimedOut\"]", pattern.at("/detail/status").toString(),
                "exactly the terminal values of SSM's CommandStatus");
        Set<String> documents = new TreeSet<>();
        pattern.at("/detail/document-name").forEach(name -> documents.add(name.asText()));
        assertEquals(new TreeSet<>(WorkflowFixture.documentNames().values()), documents, "the cluster's documents");
        JsonNode target = rules.get(0).at("/Properties/Targets/0");
        assertEquals(aliasOf(WorkflowHandler.COMPLETE_NODE_COMMAND), target.at("/Arn/Ref").asText());
        assertTrue(target.at("/RetryPolicy/MaximumRetryAttempts").asInt() > 0, "target retries");
        assertEquals("AWS::SQS::Queue",
                resources.at("/" + target.at("/DeadLetterConfig/Arn/Fn::GetAtt/0").asText() + "/Type").asText());
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of("TimeToLiveSpecification", Map.of(
                "AttributeName", dev.drbdmultiaz.functions.reconcile.nodes.CommandRounds.EXPIRES_AT, "Enabled", true)));
    }

    @Test
    @DisplayName("no schedule rule when the re-adjust schedule is off")
    void noScheduleRuleWhenOff() {
        Template withoutSchedule = Template.fromStack(WorkflowFixture.create(null).stack());
        withoutSchedule.resourcePropertiesCountIs("AWS::Events::Rule",
                Map.of("ScheduleExpression", Match.anyValue()), 0);
        withoutSchedule.resourceCountIs("AWS::Events::Rule", 4);
    }

    @Test
    @DisplayName("the state machine deploys the definition as AslDefinitionLoader loads it (the Task retry policy on every Task)")
    void stateMachineDeploysLoadedDefinition() throws Exception {
        JsonNode machine = single("AWS::StepFunctions::StateMachine", Map.of("StateMachineType", "STANDARD"));
        String key = machine.at("/Properties/DefinitionS3Location/Key").asText();
        Path asset = Path.of(synth.app().synth().getDirectory()).resolve("asset." + key);
        assertTrue(Files.isRegularFile(asset), "no definition asset " + asset);
        assertEquals(AslDefinitionLoader.load(WorkflowFixture.definitionFile()), JSON.readTree(asset.toFile()));
    }

    @Test
    @DisplayName("the deploy custom resource carries ConfigHash and waits for the group and the state machine")
    void deployCustomResource() {
        List<String> ids = logicalIds("Custom::DrbdReconcile");
        assertEquals(1, ids.size());
        JsonNode resource = resources.get(ids.get(0));
        assertEquals(WorkflowFixture.CONFIG_HASH, resource.at("/Properties/ConfigHash").asText());
        Set<String> dependsOn = new TreeSet<>();
        resource.path("DependsOn").forEach(d -> dependsOn.add(d.asText()));
        assertTrue(dependsOn.contains(groupId), "depends on the group: " + dependsOn);
        assertTrue(dependsOn.contains(logicalIds("AWS::StepFunctions::StateMachine").get(0)),
                "depends on the state machine: " + dependsOn);
        // Provider framework with onEvent and isComplete wired to the deploy aliases.
        String onEvent = aliasOf(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT);
        String isComplete = aliasOf(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE);
        String frameworkEnv = resourcesOfType("AWS::Lambda::Function").stream()
                .map(fn -> fn.at("/Properties/Environment/Variables").toString())
                .filter(env -> env.contains("USER_ON_EVENT_FUNCTION_ARN"))
                .findFirst().orElseThrow();
        assertTrue(frameworkEnv.contains(onEvent) && frameworkEnv.contains(isComplete), frameworkEnv);
    }

    @Test
    @DisplayName("the deploy's wait, the Provider's waiter and CloudFormation's timeout agree: the deploy fails with"
            + " its own reason before either times out")
    void deployTimeoutsAgree() throws Exception {
        JsonNode resource = resources.get(logicalIds("Custom::DrbdReconcile").get(0));
        int serviceTimeout = resource.at("/Properties/ServiceTimeout").asInt();
        assertEquals(3600, serviceTimeout, "CloudFormation waits at most 3600 s for a custom resource");
        // The waiter's DefinitionString is a Fn::Join of text and function ARNs: the text holds the Retry.
        JsonNode waiter = resourcesOfType("AWS::StepFunctions::StateMachine").stream()
                .filter(m -> m.at("/Properties/DefinitionString").toString().contains("framework-isComplete-task"))
                .findFirst().orElseThrow();
        StringBuilder definition = new StringBuilder();
        waiter.at("/Properties/DefinitionString/Fn::Join/1").forEach(part ->
                definition.append(part.isTextual() ? part.asText() : "arn:aws:lambda:r:1:function:f"));
        JsonNode retry = JSON.readTree(definition.toString()).at("/States/framework-isComplete-task/Retry/0");
        int interval = retry.path("IntervalSeconds").asInt();
        assertEquals(serviceTimeout, interval * retry.path("MaxAttempts").asInt(),
                "the Provider's total timeout is CloudFormation's: " + retry);
        for (WorkflowHandler handler : List.of(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT,
                WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE)) {
            int wait = single("AWS::Lambda::Function", Map.of("Handler", handler.handler()))
                    .at("/Properties/Environment/Variables/DEPLOY_WAIT_SECONDS").asInt();
            assertTrue(wait > 0 && wait + 2 * interval <= serviceTimeout - 60,
                    handler.id() + ": DEPLOY_WAIT_SECONDS " + wait + " leaves two polls and a minute of cold starts"
                            + " and retries before " + serviceTimeout + " s");
            assertEquals(serviceTimeout - DeployTrigger.DEPLOY_REPORT_MARGIN.toSeconds().intValue(), wait);
        }
    }

    @Test
    @DisplayName("SendCommand is limited to the eight documents and to instances tagged with this cluster")
    void sendCommandScoped() {
        List<JsonNode> sendStatements = statements().stream()
                .filter(s -> actions(s).contains("ssm:SendCommand")).toList();
        assertEquals(2, sendStatements.size(), "SendCommand statements: " + sendStatements);
        for (JsonNode statement : sendStatements) {
            assertEquals(List.of("ssm:SendCommand"), actions(statement));
            String resourcesText = statement.get("Resource").toString();
            if (resourcesText.contains(":document/")) {
                assertEquals(dev.drbdmultiaz.model.NodeDocument.values().length, resourcesOf(statement).size(), resourcesText);
                WorkflowFixture.documentNames().values().forEach(name ->
                        assertTrue(resourcesText.contains(":document/" + name + "\""), name + " in " + resourcesText));
                assertFalse(statement.has("Condition"));
            } else {
                assertTrue(resourcesText.contains(":instance/*"), resourcesText);
                assertEquals(WorkflowFixture.CLUSTER_ID,
                        statement.at("/Condition/StringEquals/ssm:resourceTag~1drbd-multiaz:cluster").asText(),
                        "tag condition: " + statement);
            }
        }
    }

    @Test
    @DisplayName("lifecycle actions are allowed on this group's ARN only")
    void lifecycleActionsOnGroupOnly() {
        List<JsonNode> lifecycle = statements().stream()
                .filter(s -> actions(s).stream().anyMatch(a -> a.equals("autoscaling:CompleteLifecycleAction")
                        || a.equals("autoscaling:RecordLifecycleActionHeartbeat")))
                .toList();
        assertEquals(4, lifecycle.size(), "heartbeat, complete, continue departing terminations, and abandon/hand over");
        for (JsonNode statement : lifecycle) {
            List<JsonNode> res = resourcesOf(statement);
            assertEquals(1, res.size());
            String arn = res.get(0).toString();
            assertTrue(arn.contains("autoScalingGroupName/") && arn.contains("\"Ref\":\"" + groupId + "\""),
                    "lifecycle action resource: " + arn);
        }
    }

    @Test
    @DisplayName("each function gets only its own permissions: planner and reporter none, registry only where needed")
    void leastPrivilegePerFunction() {
        assertEquals(List.of(), actionsOf(WorkflowHandler.PLAN_NEXT_STEP));
        assertEquals(List.of(), actionsOf(WorkflowHandler.REPORT_CLUSTER_STATUS));
        assertEquals(List.of(), actionsOf(WorkflowHandler.PLAN_VOLUME_TAGS));
        assertEquals(List.of(), actionsOf(WorkflowHandler.PLAN_DATA_VOLUMES));
        Set<WorkflowHandler> registryUsers = new TreeSet<>();
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            if (actionsOf(handler).contains("dynamodb:PutItem")) {
                registryUsers.add(handler);
            }
        }
        assertEquals(Set.of(WorkflowHandler.ACQUIRE_CLUSTER_LOCK, WorkflowHandler.RELEASE_CLUSTER_LOCK,
                WorkflowHandler.DESCRIBE_CLUSTER, WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS,
                WorkflowHandler.SEND_NODE_COMMAND, WorkflowHandler.COMPLETE_NODE_COMMAND), registryUsers);
        assertEquals(List.of("ssm:SendCommand", "ssm:DescribeDocument", "ssm:GetCommandInvocation", "states:SendTaskSuccess"),
                nonRegistryActionsOf(WorkflowHandler.SEND_NODE_COMMAND),
                "sends, completes a command that ended first; DescribeDocument: priming");
        assertEquals(List.of("ssm:GetCommandInvocation"), nonRegistryActionsOf(WorkflowHandler.COLLECT_COMMAND_RESULTS));
        assertFalse(actionsOf(WorkflowHandler.COLLECT_COMMAND_RESULTS).contains("dynamodb:PutItem"),
                "the polling fallback only reads the round");
        assertEquals(List.of("ssm:GetCommandInvocation", "states:SendTaskSuccess"),
                nonRegistryActionsOf(WorkflowHandler.COMPLETE_NODE_COMMAND));
        for (JsonNode statement : statements()) {
            if (actions(statement).contains("states:SendTaskSuccess")) {
                String arn = resourcesOf(statement).toString();
                assertTrue(arn.contains(":stateMachine:" + synth.stateMachineName()) && resourcesOf(statement).size() == 1,
                        "tasks of this state machine only: " + arn);
            }
        }
        assertEquals(List.of("states:StartExecution", "states:DescribeStateMachine", "dynamodb:GetItem",
                "dynamodb:UpdateItem", "dynamodb:DescribeTable", "states:DescribeExecution"),
                actionsOf(WorkflowHandler.TRIGGER_RECONCILE).stream().filter(a -> !a.startsWith("sqs:")).toList(),
                "starts executions, takes the lock for them or coalesces into its holder; never another item");
        List<JsonNode> lockWrites = statementsOf(WorkflowHandler.TRIGGER_RECONCILE).stream()
                .filter(st -> actions(st).contains("dynamodb:UpdateItem")).toList();
        assertEquals(1, lockWrites.size());
        assertEquals(JSON.valueToTree(Map.of("ForAllValues:StringEquals",
                        Map.of("dynamodb:LeadingKeys", List.of("lock")))), lockWrites.get(0).path("Condition"),
                "the trigger writes the lock item only");
        assertEquals(List.of("states:DescribeExecution", "states:GetExecutionHistory"),
                actionsOf(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE), "follows the reconcile, says where it is");
        assertEquals(List.of("autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:DescribeAutoScalingGroups"),
                actionsOf(WorkflowHandler.RECORD_LIFECYCLE_HEARTBEATS), "heartbeats every waiting action of the group");
        assertEquals(List.of("autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat",
                "autoscaling:DescribeAutoScalingGroups"), actionsOf(WorkflowHandler.ABANDON_PENDING_LAUNCHES));
        assertEquals(List.of("states:StartExecution", "states:DescribeStateMachine"),
                actionsOf(WorkflowHandler.START_FOLLOW_UP_RECONCILE));
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            assertEquals(handler == WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS,
                    actionsOf(handler).contains("autoscaling:SetInstanceHealth"),
                    handler + ": only CompleteLifecycleActions evicts unreachable members");
        }
    }

    @Test
    @DisplayName("each function's role allows the reads its SnapStart priming makes (its handler's Priming.register)")
    void primingReadsAllowed() {
        Map<WorkflowHandler, List<String>> priming = new java.util.EnumMap<>(WorkflowHandler.class);
        // Its Step Functions client (lock recovery only) is not primed: it knows no execution before an event.
        priming.put(WorkflowHandler.ACQUIRE_CLUSTER_LOCK, List.of("dynamodb:DescribeTable"));
        priming.put(WorkflowHandler.RELEASE_CLUSTER_LOCK, List.of("dynamodb:DescribeTable"));
        priming.put(WorkflowHandler.DESCRIBE_CLUSTER,
                List.of("autoscaling:DescribeAutoScalingGroups", "dynamodb:DescribeTable"));
        priming.put(WorkflowHandler.CHECK_AGENTS_ONLINE, List.of("ssm:DescribeInstanceInformation"));
        priming.put(WorkflowHandler.SEND_NODE_COMMAND, List.of("ssm:DescribeDocument"));
        priming.put(WorkflowHandler.COLLECT_COMMAND_RESULTS, List.of("ssm:GetCommandInvocation"));
        priming.put(WorkflowHandler.RECORD_LIFECYCLE_HEARTBEATS, List.of("autoscaling:DescribeAutoScalingGroups"));
        priming.put(WorkflowHandler.AWAIT_DEPARTURE, List.of("autoscaling:DescribeAutoScalingGroups"));
        priming.put(WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS,
                List.of("autoscaling:DescribeAutoScalingGroups", "dynamodb:DescribeTable"));
        priming.put(WorkflowHandler.ABANDON_PENDING_LAUNCHES, List.of("autoscaling:DescribeAutoScalingGroups"));
        priming.put(WorkflowHandler.START_FOLLOW_UP_RECONCILE, List.of("states:DescribeStateMachine"));
        priming.put(WorkflowHandler.TRIGGER_RECONCILE, List.of("states:DescribeStateMachine", "dynamodb:DescribeTable"));
        priming.put(WorkflowHandler.DEPLOY_RECONCILE_ON_EVENT, List.of("states:DescribeStateMachine"));
        priming.put(WorkflowHandler.DEPLOY_RECONCILE_IS_COMPLETE, List.of("states:DescribeExecution"));
        priming.forEach((handler, reads) -> assertTrue(actionsOf(handler).containsAll(reads),
                handler + " primes with " + reads + " but may only " + actionsOf(handler)));
        JsonNode send = statements().stream().filter(st -> actions(st).contains("ssm:DescribeDocument")).findFirst()
                .orElseThrow();
        assertEquals(1, resourcesOf(send).size(), "SendNodeCommand reads one document: " + send);
        assertTrue(resourcesOf(send).toString().contains("document/"), send.toString());
    }

    @Test
    @DisplayName("only CompleteLifecycleActions sets scale-in protection, and only on this group's instances")
    void scaleInProtectionScoped() {
        for (WorkflowHandler handler : WorkflowHandler.values()) {
            assertEquals(handler == WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS,
                    actionsOf(handler).contains("autoscaling:SetInstanceProtection"),
                    handler + ": only CompleteLifecycleActions moves the protection to the Primary");
        }
        List<JsonNode> protect = statements().stream()
                .filter(s -> actions(s).contains("autoscaling:SetInstanceProtection")).toList();
        assertEquals(1, protect.size());
        String arn = resourcesOf(protect.get(0)).toString();
        assertTrue(arn.contains("autoScalingGroupName/") && arn.contains("\"Ref\":\"" + groupId + "\""), arn);
    }

    @Test
    @DisplayName("evictions are allowed on this group's ARN only, and an eviction held back for quorum raises an alarm"
            + " from the line CompleteLifecycleActions logs")
    void evictionHeldAlarm() {
        List<JsonNode> evict = statements().stream()
                .filter(s -> actions(s).contains("autoscaling:SetInstanceHealth")).toList();
        assertEquals(1, evict.size());
        String arn = resourcesOf(evict.get(0)).toString();
        assertTrue(arn.contains("autoScalingGroupName/") && arn.contains("\"Ref\":\"" + groupId + "\""), arn);

        assertLoggedAlarm(LoggedAlarms.EVICTION_HELD, WorkflowHandler.COMPLETE_LIFECYCLE_ACTIONS);
    }

    @Test
    @DisplayName("only the state machine role touches EC2 volumes: DescribeVolumes, and CreateTags (the owner tags only),"
            + " ModifyVolume and DeleteVolume on volumes tagged with this cluster")
    void dataVolumesScoped() {
        List<JsonNode> ec2 = statements().stream()
                .filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("ec2:"))).toList();
        assertEquals(4, ec2.size(), "EC2 statements: " + ec2);
        for (JsonNode statement : ec2) {
            assertEquals(1, actions(statement).size(), statement.toString());
            String action = actions(statement).get(0);
            if (action.equals("ec2:DescribeVolumes")) {
                assertEquals("\"*\"", statement.get("Resource").toString(), "DescribeVolumes has no resource-level permission");
                continue;
            }
            assertTrue(List.of("ec2:CreateTags", "ec2:ModifyVolume", "ec2:DeleteVolume").contains(action), action);
            assertTrue(statement.get("Resource").toString().contains(":volume/*"), statement.toString());
            assertEquals(WorkflowFixture.CLUSTER_ID,
                    statement.at("/Condition/StringEquals/aws:ResourceTag~1" + ClusterTags.CLUSTER).asText(),
                    "tag condition: " + statement);
            if (action.equals("ec2:CreateTags")) {
                assertEquals("[\"" + ClusterTags.INSTANCE_ID + "\",\"" + ClusterTags.NODE_ID + "\"]",
                        statement.at("/Condition/ForAllValues:StringEquals/aws:TagKeys").toString(), statement.toString());
            }
        }
        String machineRole = single("AWS::StepFunctions::StateMachine", Map.of("StateMachineType", "STANDARD"))
                .at("/Properties/RoleArn/Fn::GetAtt/0").asText();
        for (JsonNode policy : resourcesOfType("AWS::IAM::Policy")) {
            if (policy.at("/Properties/PolicyDocument/Statement").toString().contains("\"ec2:")) {
                assertEquals("[{\"Ref\":\"" + machineRole + "\"}]", policy.at("/Properties/Roles").toString(),
                        "EC2 volume actions belong to the state machine role only");
            }
        }
    }

    @Test
    @DisplayName("a kept data volume raises an alarm from the line PlanDataVolumes logs")
    void dataVolumesKeptAlarm() {
        assertLoggedAlarm(LoggedAlarms.DATA_VOLUMES_KEPT, WorkflowHandler.PLAN_DATA_VOLUMES);
    }

    /** A metric filter on {@code handler}'s own log group counts its lines with "alarm": name; an alarm on it notifies. */
    private static void assertLoggedAlarm(String name, WorkflowHandler handler) {
        JsonNode filter = resourcesOfType("AWS::Logs::MetricFilter").stream()
                .filter(f -> f.at("/Properties/FilterPattern").asText().contains(name))
                .findFirst().orElseThrow(() -> new AssertionError("no metric filter on the " + name + " log line"));
        assertEquals("{ $." + LoggedAlarms.FIELD + " = \"" + name + "\" }",
                filter.at("/Properties/FilterPattern").asText(), "matches the field the Lambda logs");
        JsonNode function = resourcesOfType("AWS::Lambda::Function").stream()
                .filter(fn -> handler.handler().equals(fn.at("/Properties/Handler").asText()))
                .findFirst().orElseThrow();
        assertEquals(function.at("/Properties/LoggingConfig/LogGroup").toString(),
                "{\"Ref\":" + filter.at("/Properties/LogGroupName/Ref").toString() + "}",
                "the filter reads " + handler.id() + "'s own log group");
        String metric = filter.at("/Properties/MetricTransformations/0/MetricName").asText();
        assertTrue(resourcesOfType("AWS::CloudWatch::Alarm").stream()
                .anyMatch(a -> metric.equals(a.at("/Properties/MetricName").asText())
                        && a.at("/Properties/AlarmActions").size() == 1), "an alarm on " + metric + " notifies the topic");
    }

    @Test
    @DisplayName("the follow-up function may start executions of this state machine only")
    void followUpScoped() {
        List<JsonNode> starts = statements().stream()
                .filter(s -> s.path("Sid").asText().equals("StartFollowUpExecution")).toList();
        assertEquals(1, starts.size());
        String resource = starts.get(0).get("Resource").toString();
        assertTrue(resource.contains(":stateMachine:" + synth.stateMachineName()), resource);
        assertFalse(resource.contains("*"), resource);
    }

    @Test
    @DisplayName("no IAM statement grants a wildcard action")
    void noWildcardAction() {
        for (JsonNode statement : statements()) {
            for (String action : actions(statement)) {
                assertFalse(action.equals("*") || action.endsWith(":*"), "wildcard action in " + statement);
            }
        }
    }

    @Test
    @DisplayName("functions get the secret's ARN, never its value; the node role may read the secret")
    void secretArnOnly() {
        String secretId = logicalIds("AWS::SecretsManager::Secret").get(0);
        JsonNode secret = resources.get(secretId);
        assertEquals(32, secret.at("/Properties/GenerateSecretString/PasswordLength").asInt());
        assertTrue(secret.at("/Properties/GenerateSecretString/ExcludePunctuation").asBoolean());
        for (JsonNode fn : resourcesOfType("AWS::Lambda::Function")) {
            JsonNode env = fn.at("/Properties/Environment/Variables");
            String text = env.toString();
            assertFalse(text.contains("resolve:secretsmanager") || text.contains("SecretString"),
                    "secret value in an environment: " + text);
            if (env.has("SECRET_ARN")) {
                assertEquals("{\"Ref\":\"" + secretId + "\"}", env.get("SECRET_ARN").toString());
            }
        }
        String nodeRoleId = logicalId(synth.nodeRole());
        List<JsonNode> secretReads = new ArrayList<>();
        for (JsonNode policy : resourcesOfType("AWS::IAM::Policy")) {
            toList(policy.at("/Properties/PolicyDocument/Statement")).stream()
                    .filter(s -> actions(s).contains("secretsmanager:GetSecretValue"))
                    .forEach(s -> secretReads.add(policy.at("/Properties/Roles")));
        }
        assertEquals(1, secretReads.size(), "only the node role reads the secret: " + secretReads);
        assertEquals("[{\"Ref\":\"" + nodeRoleId + "\"}]", secretReads.get(0).toString());
    }

    @Test
    @DisplayName("registry table is on-demand with point-in-time recovery and key pk")
    void registryTable() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "KeySchema", List.of(Map.of("AttributeName", "pk", "KeyType", "HASH")),
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true)));
    }

    @Test
    @DisplayName("alarms on failed and timed-out executions and on undelivered triggers publish to the TLS-only topic")
    void alarms() {
        String topicId = logicalIds("AWS::SNS::Topic").get(0);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("ExecutionsFailed", "AWS/States");
        expected.put("ExecutionsTimedOut", "AWS/States");
        expected.put("ApproximateNumberOfMessagesVisible", "AWS/SQS");
        expected.forEach((metric, namespace) -> template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "MetricName", metric,
                "Namespace", namespace,
                "Threshold", 1,
                "AlarmActions", List.of(Map.of("Ref", topicId)))));
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of("PolicyDocument", Map.of(
                "Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Deny",
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
        assertNotNull(synth.workflow().getAlarmTopic());
    }

    @Test
    @DisplayName("SendCommand sends the full output to the stack's log group, which only the node role may write to")
    void commandOutputLogGroup() {
        String groupId = logicalIds("AWS::Logs::LogGroup").stream()
                .filter(id -> id.contains("CommandOutput")).findFirst().orElseThrow();
        assertEquals(90, resources.get(groupId).at("/Properties/RetentionInDays").asInt());
        for (JsonNode fn : resourcesOfType("AWS::Lambda::Function")) {
            if (WorkflowHandler.SEND_NODE_COMMAND.handler().equals(fn.at("/Properties/Handler").asText())) {
                assertEquals("{\"Ref\":\"" + groupId + "\"}",
                        fn.at("/Properties/Environment/Variables/COMMAND_LOG_GROUP_NAME").toString());
            }
        }
        List<JsonNode> writes = statements().stream()
                .filter(st -> actions(st).contains("logs:PutLogEvents") && st.toString().contains(groupId)).toList();
        assertEquals(1, writes.size(), writes.toString());
        assertEquals(List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"), actions(writes.get(0)));
        List<JsonNode> resources = resourcesOf(writes.get(0));
        assertEquals(1, resources.size());
        assertEquals("{\"Fn::GetAtt\":[\"" + groupId + "\",\"Arn\"]}", resources.get(0).toString(),
                "writes only into this group");
        String nodeRole = "{\"Ref\":\"" + logicalId(synth.nodeRole()) + "\"}";
        for (JsonNode policy : resourcesOfType("AWS::IAM::Policy")) {
            if (policy.at("/Properties/Roles").toString().contains(nodeRole)) {
                toList(policy.at("/Properties/PolicyDocument/Statement")).forEach(st -> assertFalse(
                        actions(st).contains("logs:CreateLogGroup"), "the node role creates no log groups: " + st));
            }
        }
    }

    @Test
    @DisplayName("an alarm fires when a node waits in Terminating:Wait for four hook timeouts, long before the 48 h global timeout")
    void terminationHeldAlarm() {
        String topicId = logicalIds("AWS::SNS::Topic").get(0);
        JsonNode alarm = resourcesOfType("AWS::CloudWatch::Alarm").stream()
                .filter(a -> "GroupTerminatingInstances".equals(a.at("/Properties/MetricName").asText()))
                .findFirst().orElseThrow();
        JsonNode props = alarm.get("Properties");
        assertEquals("AWS/AutoScaling", props.get("Namespace").asText());
        assertEquals("Minimum", props.get("Statistic").asText(), "held for the whole window, not once");
        assertEquals("GreaterThanOrEqualToThreshold", props.get("ComparisonOperator").asText());
        assertEquals(1, props.get("Threshold").asInt());
        long window = props.get("Period").asLong() * props.get("EvaluationPeriods").asLong();
        long hook = WorkflowFixture.LIFECYCLE_HOOK_TIMEOUT_SECONDS;
        assertEquals(4 * hook, window);
        long global = Math.min(48 * 3600, 100 * hook);
        assertTrue(window <= global / 4, "fires well before the global timeout: " + window + " vs " + global);
        assertTrue(window <= 86_400, "CloudWatch evaluates at most a day");
        assertEquals("[{\"Ref\":\"" + topicId + "\"}]", props.get("AlarmActions").toString());
    }

    // --- helpers -------------------------------------------------------------------------------

    private static List<JsonNode> resourcesOfType(String type) {
        List<JsonNode> list = new ArrayList<>();
        resources.properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                list.add(e.getValue());
            }
        });
        return list;
    }

    private static List<String> logicalIds(String type) {
        List<String> list = new ArrayList<>();
        resources.properties().forEach(e -> {
            if (type.equals(e.getValue().path("Type").asText())) {
                list.add(e.getKey());
            }
        });
        return list;
    }

    private static JsonNode single(String type, Map<String, String> properties) {
        List<JsonNode> matches = resourcesOfType(type).stream()
                .filter(r -> properties.entrySet().stream()
                        .allMatch(p -> p.getValue().equals(r.at("/Properties/" + p.getKey()).asText())))
                .toList();
        assertEquals(1, matches.size(), type + " with " + properties);
        return matches.get(0);
    }

    private static String logicalId(software.constructs.IConstruct construct) {
        software.amazon.awscdk.CfnResource resource = (software.amazon.awscdk.CfnResource)
                construct.getNode().getDefaultChild();
        return synth.stack().getLogicalId(resource);
    }

    private static String aliasOf(WorkflowHandler handler) {
        software.amazon.awscdk.services.lambda.Alias alias =
                (software.amazon.awscdk.services.lambda.Alias) synth.workflow().getHandlerAlias(handler);
        return synth.stack().getLogicalId((software.amazon.awscdk.CfnResource) alias.getNode().getDefaultChild());
    }

    private static List<JsonNode> statements() {
        List<JsonNode> list = new ArrayList<>();
        for (String type : List.of("AWS::IAM::Policy", "AWS::IAM::Role")) {
            for (JsonNode resource : resourcesOfType(type)) {
                list.addAll(toList(resource.at("/Properties/PolicyDocument/Statement")));
                resource.at("/Properties/Policies").forEach(p -> list.addAll(toList(p.at("/PolicyDocument/Statement"))));
            }
        }
        return list;
    }

    /** The actions of {@code handler}'s role other than the registry table's and the dead-letter queue's. */
    private static List<String> nonRegistryActionsOf(WorkflowHandler handler) {
        return actionsOf(handler).stream().filter(a -> !a.startsWith("dynamodb:") && !a.startsWith("sqs:"))
                .distinct().toList();
    }

    private static List<String> actionsOf(WorkflowHandler handler) {
        List<String> actions = new ArrayList<>();
        statementsOf(handler).forEach(s -> actions.addAll(actions(s)));
        return actions;
    }

    /** The statements of the policies attached to {@code handler}'s function role. */
    private static List<JsonNode> statementsOf(WorkflowHandler handler) {
        JsonNode function = resourcesOfType("AWS::Lambda::Function").stream()
                .filter(fn -> handler.handler().equals(fn.at("/Properties/Handler").asText()))
                .findFirst().orElseThrow();
        String roleRef = "{\"Ref\":\"" + function.at("/Properties/Role/Fn::GetAtt/0").asText() + "\"}";
        List<JsonNode> statements = new ArrayList<>();
        for (JsonNode policy : resourcesOfType("AWS::IAM::Policy")) {
            if (policy.at("/Properties/Roles").toString().contains(roleRef)) {
                statements.addAll(toList(policy.at("/Properties/PolicyDocument/Statement")));
            }
        }
        return statements;
    }

    private static List<String> actions(JsonNode statement) {
        List<String> actions = new ArrayList<>();
        JsonNode action = statement.path("Action");
        if (action.isArray()) {
            action.forEach(a -> actions.add(a.asText()));
        } else if (!action.isMissingNode()) {
            actions.add(action.asText());
        }
        return actions;
    }

    private static List<JsonNode> resourcesOf(JsonNode statement) {
        JsonNode resource = statement.path("Resource");
        return resource.isArray() ? toList(resource) : List.of(resource);
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }
}
