package dev.drbdmultiaz.rehearsal.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Lambda function as the template deploys it.
 *
 * @param logicalId its logical id
 * @param name its physical name
 * @param arn its unqualified ARN
 * @param runtime e.g. {@code java21}, {@code nodejs24.x}
 * @param handler e.g. {@code dev.….AcquireClusterLockHandler::handleRequest}, {@code framework.onEvent}
 * @param memoryMiB MemorySize (128 when absent, Lambda's default)
 * @param timeoutSeconds Timeout (3 when absent, Lambda's default)
 * @param snapStart SnapStart ApplyOn PublishedVersions
 * @param environment its environment variables, resolved
 * @param logGroup the log group it writes to
 * @param code the asset: the jar of a Java function, the folder of a Node one
 */
public record FunctionSpec(String logicalId, String name, String arn, String runtime, String handler, int memoryMiB,
    int timeoutSeconds, boolean snapStart, Map<String, String> environment, String logGroup, Path code) {

    public FunctionSpec {
        environment = Map.copyOf(environment);
    }

    public boolean java() {
        return runtime.startsWith("java");
    }

    /** Every AWS::Lambda::Function of the stack. */
    public static List<FunctionSpec> of(DeployedStack stack) {
        List<FunctionSpec> functions = new ArrayList<>();
        for (String id : stack.logicalIds("AWS::Lambda::Function")) {
            JsonNode props = stack.resource(id).path("Properties");
            String name = stack.ref(id);
            String logGroup = stack.property(id, "LoggingConfig").path("LogGroup").asText("/aws/lambda/" + name);
            functions.add(new FunctionSpec(id, name, stack.attribute(id, "Arn"), props.path("Runtime").asText(),
                props.path("Handler").asText(), props.path("MemorySize").asInt(128), props.path("Timeout").asInt(3),
                "PublishedVersions".equals(props.path("SnapStart").path("ApplyOn").asText()), stack.environment(id),
                logGroup, stack.synthesized().codeOf(stack.resource(id))));
        }
        return functions;
    }
}
