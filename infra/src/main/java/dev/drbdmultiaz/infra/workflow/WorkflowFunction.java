package dev.drbdmultiaz.infra.workflow;

import java.util.Objects;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.ApplicationLogLevel;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.LoggingFormat;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.SystemLogLevel;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The Lambda function of one {@link WorkflowHandler}: its log group, the SnapStart function and
 * the {@code live} alias every caller invokes it through.
 */
public class WorkflowFunction extends Construct {

    /** Name of the alias every function is invoked through (SnapStart runs on published versions only). */
    public static final String ALIAS_NAME = "live";

    private final LogGroup logs;
    private final Function function;
    private final Alias alias;

    public WorkflowFunction(Construct scope, String id, WorkflowFunctionProps props) {
        super(scope, id);
        Objects.requireNonNull(props, "props must not be null");
        WorkflowHandler handler = props.getHandler();
        this.logs = LogGroup.Builder.create(this, "Logs")
                .retention(props.getLogRetention())
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        this.function = Function.Builder.create(this, "Function")
                .description("drbd-multiaz " + handler.id() + " (" + handler.handlerClass() + ")")
                .runtime(Runtime.JAVA_21)
                .code(Code.fromAsset(props.getFunctionsJar().toString()))
                .handler(handler.handler())
                .memorySize(props.getMemoryMiB())
                .timeout(handler.timeout())
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .loggingFormat(LoggingFormat.JSON)
                .applicationLogLevelV2(ApplicationLogLevel.INFO)
                .systemLogLevelV2(SystemLogLevel.INFO)
                .logGroup(logs)
                .environment(props.getEnvironment())
                .build();
        this.alias = Alias.Builder.create(this, "Live")
                .aliasName(ALIAS_NAME)
                .version(function.getCurrentVersion())
                .build();
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Published: every caller invokes the alias '" + ALIAS_NAME + "' on currentVersion");
    }

    /** The function itself: the grantee of its permissions. Callers invoke {@link #getAlias()}. */
    public Function getFunction() {
        return function;
    }

    /** The {@code live} alias on the current version. */
    public Alias getAlias() {
        return alias;
    }

    /** The log group the function writes to. */
    public ILogGroup getLogGroup() {
        return logs;
    }
}
