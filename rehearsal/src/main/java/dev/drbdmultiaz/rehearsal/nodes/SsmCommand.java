package dev.drbdmultiaz.rehearsal.nodes;

import dev.drbdmultiaz.model.NodeDocument;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One accepted command: what SendCommand asked for and one {@link SsmInvocation} per target. */
final class SsmCommand {

    final String commandId;
    final SsmDocument document;
    final String comment;
    final List<String> targets;
    final Map<String, List<String>> parameters;
    final Instant requestedAt;
    final int deliveryTimeoutSeconds;
    /** requestedAt plus the delivery timeout in rehearsal time. */
    final Instant deliveryDeadline;
    final SsmDocument.Step step;
    /** Where the rendered script and each target's stdout and stderr files are. */
    final Path dir;
    /** CloudWatchOutputConfig's group, or null when output goes only to the API. */
    final String logGroup;
    final Map<String, SsmInvocation> invocations = new LinkedHashMap<>();

    SsmCommand(String commandId, SsmDocument document, String comment, List<String> targets,
        Map<String, List<String>> parameters, Instant requestedAt, int deliveryTimeoutSeconds,
        Instant deliveryDeadline, SsmDocument.Step step, Path dir, String logGroup) {
        this.commandId = commandId;
        this.document = document;
        this.comment = comment;
        this.targets = List.copyOf(targets);
        this.parameters = parameters;
        this.requestedAt = requestedAt;
        this.deliveryTimeoutSeconds = deliveryTimeoutSeconds;
        this.deliveryDeadline = deliveryDeadline;
        this.step = step;
        this.dir = dir;
        this.logGroup = logGroup;
        targets.forEach(id -> invocations.put(id, new SsmInvocation(id)));
    }

    Path stdoutFile(String instanceId) {
        return dir.resolve(instanceId + ".stdout");
    }

    Path stderrFile(String instanceId) {
        return dir.resolve(instanceId + ".stderr");
    }

    CommandRecord record() {
        Map<String, CommandRecord.NodeResult> results = new LinkedHashMap<>();
        invocations.forEach((id, i) -> {
            synchronized (i) {
                results.put(id, new CommandRecord.NodeResult(i.recordStatus(), i.exitCode, i.elapsed(),
                    i.stdout.contains(NodeFleet.SHARED_SECRET) || i.stderr.contains(NodeFleet.SHARED_SECRET), i.startedAt));
            }
        });
        String file = document.baseName();
        return new CommandRecord(commandId, document.name(), file, comment, targets, parameters,
            NodeDocument.ofBaseName(file).map(NodeDocument::mutating).orElse(true), requestedAt, results);
    }
}
