package dev.drbdmultiaz.functions.reconcile.nodes;

import dev.drbdmultiaz.functions.common.StructuredLog;
import dev.drbdmultiaz.functions.common.exceptions.InvalidStateDocumentException;
import dev.drbdmultiaz.functions.reconcile.state.CommandSent;
import dev.drbdmultiaz.functions.reconcile.state.PlannedStep;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CloudWatchOutputConfig;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;

/**
 * SendNodeCommand: one SSM command (per batch of at most 50 instances) with the plan's document
 * and parameters to every target at once.
 *
 * <p>Parameters are visible in the console and CloudTrail, so a parameter whose name speaks of a
 * secret must be {@code SecretId} holding a Secrets Manager ARN; anything else is refused.
 */
public final class NodeCommandSender {

    private static final StructuredLog LOG = StructuredLog.of(NodeCommandSender.class);
    private static final Pattern SECRET_ARN = Pattern.compile("arn:aws[a-z-]*:secretsmanager:[^\\s]+");
    private static final int MAX_COMMENT = 100;

    private final SsmClient ssm;
    private final Optional<String> outputLogGroup;
    private final int deliveryTimeoutSeconds;
    private final Clock clock;

    public NodeCommandSender(SsmClient ssm, Optional<String> outputLogGroup, int deliveryTimeoutSeconds, Clock clock) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
        this.outputLogGroup = Objects.requireNonNull(outputLogGroup, "outputLogGroup");
        this.deliveryTimeoutSeconds = deliveryTimeoutSeconds;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public CommandSent send(ReconcileState state) {
        PlannedStep plan = state.plan();
        if (plan == null || plan.documentName() == null || plan.targets().isEmpty()) {
            throw new InvalidStateDocumentException("SendNodeCommand needs $.plan with a documentName and"
                + " targets (the result of PlanNextStep for a node step), got " + (plan == null ? "none"
                    : "step " + plan.step() + " with " + plan.targets().size() + " targets"));
        }
        refuseSecretValues(plan.parameters());
        String sentAt = clock.instant().toString();
        Map<String, String> commandIds = new LinkedHashMap<>();
        for (List<String> batch : Batches.of(plan.targets(), Batches.SSM_MAX_INSTANCE_IDS)) {
            SendCommandRequest.Builder request = SendCommandRequest.builder()
                .documentName(plan.documentName())
                .instanceIds(batch)
                .parameters(ssmShape(plan.parameters()))
                .comment(plan.step().length() > MAX_COMMENT ? plan.step().substring(0, MAX_COMMENT) : plan.step())
                .timeoutSeconds(deliveryTimeoutSeconds);
            outputLogGroup.ifPresent(group -> request.cloudWatchOutputConfig(CloudWatchOutputConfig.builder()
                .cloudWatchOutputEnabled(true).cloudWatchLogGroupName(group).build()));
            String commandId = ssm.sendCommand(request.build()).command().commandId();
            batch.forEach(instanceId -> commandIds.put(instanceId, commandId));
            LOG.info("Sent node command", "executionArn", state.currentExecutionArn(), "step", plan.step(),
                "documentName", plan.documentName(), "commandId", commandId, "instanceIds", batch,
                "parameterNames", List.copyOf(plan.parameters().keySet()));
        }
        return new CommandSent(plan.step(), plan.documentName(), commandIds, sentAt);
    }

    /** The SSM API's shape of parameters: each value a one-element list. */
    static Map<String, List<String>> ssmShape(Map<String, String> parameters) {
        Map<String, List<String>> shaped = new LinkedHashMap<>();
        parameters.forEach((name, value) -> shaped.put(name, List.of(value)));
        return shaped;
    }

    private static void refuseSecretValues(Map<String, String> parameters) {
        parameters.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            boolean secretish = lower.contains("secret") || lower.contains("password") || lower.contains("token");
            if (!secretish) {
                return;
            }
            if (!name.equals("SecretId") || !SECRET_ARN.matcher(value).matches()) {
                throw new InvalidStateDocumentException("Refused to send parameter " + name
                    + ": only SecretId with a Secrets Manager ARN may name a secret; secret values never"
                    + " travel in command parameters");
            }
        });
    }
}
