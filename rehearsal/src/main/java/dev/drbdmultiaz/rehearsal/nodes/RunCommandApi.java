package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The Run Command operations: SendCommand (validated as SSM validates it, nothing runs when it is
 * refused), GetCommandInvocation (InvocationDoesNotExist for a moment after SendCommand),
 * ListCommandInvocations and ListCommands (each command's {@link CommandStatus}). Each status change
 * of an invocation goes to {@link SsmEvents}, SSM's EventBridge events.
 */
final class RunCommandApi {

    static final int MAX_INSTANCE_IDS = 50;
    static final String ACCOUNT = "123456789012";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NodeFleet fleet;
    private final SsmDocumentCatalog documents;
    private final SsmScriptRenderer renderer;
    private final SsmCommandStore commands;
    private final SsmAgent agent;
    private final CompressedTime time;
    private final SsmEvents events;
    private volatile Duration visibilityDelay = Duration.ofMillis(300);

    RunCommandApi(NodeFleet fleet, SsmDocumentCatalog documents, SsmScriptRenderer renderer, SsmCommandStore commands,
        SsmAgent agent, CompressedTime time, SsmEvents events) {
        this.fleet = fleet;
        this.documents = documents;
        this.renderer = renderer;
        this.commands = commands;
        this.agent = agent;
        this.time = time;
        this.events = events;
    }

    /** See {@link SsmEmulator#setInvocationVisibilityDelay}. */
    void setInvocationVisibilityDelay(Duration delay) {
        this.visibilityDelay = Objects.requireNonNull(delay, "delay");
    }

    JsonNode sendCommand(JsonNode body) {
        SsmDocument document = documents.named(text(body, "DocumentName"));
        List<String> targets = targets(body);
        int timeoutSeconds = body.path("TimeoutSeconds").asInt(3600);
        if (body.has("TimeoutSeconds") && (timeoutSeconds < 30 || timeoutSeconds > 2_592_000)) {
            throw new SsmError("ValidationException", "1 validation error detected: Value '" + timeoutSeconds
                + "' at 'timeoutSeconds' failed to satisfy constraint: Member must have value between 30 and 2592000");
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        List<String> assignments = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : body.path("Parameters").properties()) {
            List<String> values = new ArrayList<>();
            field.getValue().forEach(v -> values.add(v.asText()));
            if (values.size() != 1) {
                throw new SsmError("InvalidParameters", "Parameter \"" + field.getKey() + "\" is of type String and"
                    + " takes exactly one value, got " + values.size());
            }
            parameters.put(field.getKey(), List.copyOf(values));
            assignments.add(field.getKey() + "=" + values.get(0));
        }
        String commandId = UUID.randomUUID().toString();
        Path dir = fleet.sandboxRoot().resolve("ssm").resolve(commandId);
        Path script = dir.resolve("script.sh");
        renderer.render(document.file(), script, assignments);
        SsmDocument.Step step = document.step();
        JsonNode cloudWatch = body.path("CloudWatchOutputConfig");
        String logGroup = cloudWatch.path("CloudWatchOutputEnabled").asBoolean(false)
            ? cloudWatch.path("CloudWatchLogGroupName").asText("aws/ssm/" + document.name()) : null;
        Instant requestedAt = Instant.now();
        SsmCommand command = new SsmCommand(commandId, document, text(body, "Comment"), targets, parameters,
            requestedAt, timeoutSeconds, requestedAt.plus(time.scaledPollable(Duration.ofSeconds(timeoutSeconds))), step,
            dir, logGroup);
        command.invocations.forEach((instanceId, invocation) -> invocation.onStatusChange(
            (status, details) -> events.invocationChanged(command, instanceId, status, details)));
        commands.add(command);
        agent.dispatch(command, script);
        ObjectNode result = JSON.createObjectNode();
        result.set("Command", commandJson(command));
        return result;
    }

    /** SendCommand's InstanceIds: 1 to 50 distinct instances, each running. */
    private List<String> targets(JsonNode body) {
        if (body.has("Targets") && body.get("Targets").size() > 0) {
            throw new SsmError("InvalidParameters", "The SSM emulator accepts InstanceIds, not Targets");
        }
        List<String> targets = new ArrayList<>();
        body.path("InstanceIds").forEach(n -> targets.add(n.asText()));
        if (targets.isEmpty()) {
            throw new SsmError("InvalidParameters", "Specify InstanceIds (the emulator does not resolve Targets)");
        }
        if (targets.size() > MAX_INSTANCE_IDS) {
            throw new SsmError("ValidationException", "1 validation error detected: Value at 'instanceIds' failed"
                + " to satisfy constraint: Member must have length less than or equal to " + MAX_INSTANCE_IDS);
        }
        if (new LinkedHashSet<>(targets).size() != targets.size()) {
            throw new SsmError("DuplicateInstanceId", "Instance Id is duplicated in the list: " + targets);
        }
        List<String> invalid = targets.stream().filter(id -> !fleet.isOnline(id)).toList();
        if (!invalid.isEmpty()) {
            throw new SsmError("InvalidInstanceId", "Instances " + invalid + " not in a valid state for account "
                + ACCOUNT);
        }
        return targets;
    }

    JsonNode getCommandInvocation(JsonNode body) {
        String commandId = text(body, "CommandId");
        String instanceId = text(body, "InstanceId");
        if (commandId == null || instanceId == null) {
            throw new SsmError("ValidationException", "CommandId and InstanceId are required");
        }
        SsmCommand command = commands.get(commandId);
        SsmInvocation invocation = command == null ? null : command.invocations.get(instanceId);
        if (invocation == null || Instant.now().isBefore(command.requestedAt.plus(visibilityDelay))) {
            throw new SsmError("InvocationDoesNotExist", "An error occurred (InvocationDoesNotExist) when calling"
                + " the GetCommandInvocation operation");
        }
        String plugin = text(body, "PluginName");
        if (plugin != null && !plugin.equals(command.step.name())) {
            throw new SsmError("InvalidPluginName", "Plugin " + plugin + " is not in document " + command.document.name());
        }
        synchronized (invocation) {
            ObjectNode r = JSON.createObjectNode();
            r.put("CommandId", commandId);
            r.put("InstanceId", instanceId);
            r.put("Comment", command.comment == null ? "" : command.comment);
            r.put("DocumentName", command.document.name());
            r.put("DocumentVersion", "$DEFAULT");
            r.put("PluginName", command.step.name());
            r.put("ResponseCode", invocation.exitCode);
            r.put("ExecutionStartDateTime", invocation.startedAt == null ? "" : iso(invocation.startedAt));
            r.put("ExecutionElapsedTime", invocation.startedAt == null ? "" : invocation.elapsed().toString());
            r.put("ExecutionEndDateTime", invocation.endedAt == null ? "" : iso(invocation.endedAt));
            r.put("Status", invocation.status);
            r.put("StatusDetails", invocation.statusDetails);
            r.put("StandardOutputContent", invocation.finished() ? invocation.stdout : "");
            r.put("StandardOutputUrl", "");
            r.put("StandardErrorContent", invocation.finished() ? invocation.stderr : "");
            r.put("StandardErrorUrl", "");
            ObjectNode cw = r.putObject("CloudWatchOutputConfig");
            cw.put("CloudWatchLogGroupName", command.logGroup == null ? "" : command.logGroup);
            cw.put("CloudWatchOutputEnabled", command.logGroup != null);
            return r;
        }
    }

    JsonNode listCommandInvocations(JsonNode body) {
        String commandId = text(body, "CommandId");
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("CommandInvocations");
        commands.all().stream().filter(c -> commandId == null || c.commandId.equals(commandId))
            .sorted(Comparator.comparing(c -> c.requestedAt))
            .forEach(c -> c.invocations.values().forEach(i -> {
                synchronized (i) {
                    ObjectNode n = list.addObject();
                    n.put("CommandId", c.commandId);
                    n.put("InstanceId", i.instanceId);
                    n.put("DocumentName", c.document.name());
                    n.put("Comment", c.comment == null ? "" : c.comment);
                    n.put("RequestedDateTime", c.requestedAt.toEpochMilli() / 1000.0);
                    n.put("Status", i.status);
                    n.put("StatusDetails", i.statusDetails);
                }
            }));
        return result;
    }

    /**
     * ListCommands: the commands (one with CommandId, or those that targeted InstanceId), newest
     * first, with the Status, StatusDetails and counts {@link CommandStatus} derives from their
     * invocations.
     */
    JsonNode listCommands(JsonNode body) {
        String commandId = text(body, "CommandId");
        String instanceId = text(body, "InstanceId");
        if (commandId != null && commands.get(commandId) == null) {
            throw new SsmError("InvalidCommandId", "An error occurred (InvalidCommandId) when calling the ListCommands"
                + " operation");
        }
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("Commands");
        commands.all().stream().filter(c -> commandId == null || c.commandId.equals(commandId))
            .filter(c -> instanceId == null || c.targets.contains(instanceId))
            .sorted(Comparator.comparing((SsmCommand c) -> c.requestedAt).reversed())
            .forEach(c -> list.add(commandJson(c, CommandStatus.of(c))));
        return result;
    }

    private static ObjectNode commandJson(SsmCommand c) {
        return commandJson(c, new CommandStatus("Pending", "Pending", 0, 0, 0));
    }

    private static ObjectNode commandJson(SsmCommand c, CommandStatus status) {
        ObjectNode n = JSON.createObjectNode();
        n.put("CommandId", c.commandId);
        n.put("DocumentName", c.document.name());
        n.put("DocumentVersion", "$DEFAULT");
        n.put("Comment", c.comment == null ? "" : c.comment);
        n.put("ExpiresAfter", c.requestedAt.plusSeconds(c.deliveryTimeoutSeconds).toEpochMilli() / 1000.0);
        ObjectNode params = n.putObject("Parameters");
        c.parameters.forEach((k, v) -> {
            ArrayNode a = params.putArray(k);
            v.forEach(a::add);
        });
        ArrayNode ids = n.putArray("InstanceIds");
        c.targets.forEach(ids::add);
        n.putArray("Targets");
        n.put("RequestedDateTime", c.requestedAt.toEpochMilli() / 1000.0);
        n.put("Status", status.status());
        n.put("StatusDetails", status.details());
        n.put("MaxConcurrency", "50");
        n.put("MaxErrors", "0");
        n.put("TargetCount", c.targets.size());
        n.put("CompletedCount", status.completed());
        n.put("ErrorCount", status.errors());
        n.put("DeliveryTimedOutCount", status.deliveryTimedOut());
        n.put("TimeoutSeconds", c.deliveryTimeoutSeconds);
        return n;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static String iso(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
