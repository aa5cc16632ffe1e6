package dev.drbdmultiaz.rehearsal.lambda;

import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The environment variables a function's process gets: its own from the template (durations
 * rescaled), those Lambda sets, its role's credentials and the rehearsal's endpoints (see
 * {@link LambdaService}).
 */
final class FunctionEnvironment {

    /** Access-key variables are fixed for an execution environment's life. */
    static final Duration ENVIRONMENT_CREDENTIAL_LIFETIME = Duration.ofHours(6);

    private final CompressedTime time;
    private final Map<String, String> routing;
    private final URI serviceEndpoint;
    private final ContainerCredentials containerCredentials;
    private final CredentialAuthority authority;

    FunctionEnvironment(CompressedTime time, Map<String, String> routing, URI serviceEndpoint,
        ContainerCredentials containerCredentials, CredentialAuthority authority) {
        this.time = time;
        this.routing = Map.copyOf(routing);
        this.serviceEndpoint = serviceEndpoint;
        this.containerCredentials = containerCredentials;
        this.authority = authority;
    }

    /** For a process about to start: a SnapStart function's container token, any other's fresh access keys. */
    Map<String, String> forProcess(FunctionSpec spec) {
        return spec.snapStart() ? of(spec, containerCredentials.token(spec.name()), null)
            : of(spec, null, authority.issue(spec.name(), ENVIRONMENT_CREDENTIAL_LIFETIME));
    }

    /** For checks of what a handler can read: issues no access keys. */
    Map<String, String> forInspection(FunctionSpec spec) {
        return of(spec, spec.snapStart() ? containerCredentials.token(spec.name()) : null, null);
    }

    private Map<String, String> of(FunctionSpec spec, String containerToken, CredentialAuthority.Issued accessKeys) {
        Map<String, String> env = new TreeMap<>(time.environment(spec.environment()));
        String region = routing.get("AWS_REGION");
        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_LAMBDA_FUNCTION_NAME", spec.name());
        env.put("AWS_LAMBDA_FUNCTION_VERSION", spec.snapStart() ? "1" : "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMiB()));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", spec.snapStart() ? LambdaHostMain.SNAP_START : "on-demand");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", spec.logGroup());
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/')
            + "/[" + env.get("AWS_LAMBDA_FUNCTION_VERSION") + "]" + UUID.randomUUID().toString().replace("-", ""));
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + spec.runtime());
        env.put("_HANDLER", spec.handler());
        env.put("LAMBDA_TASK_ROOT", "/var/task");
        env.put("LAMBDA_RUNTIME_DIR", "/var/runtime");
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001");
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin/:/bin:/opt/bin");
        if (containerToken != null) {
            env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", ContainerCredentials.uri(serviceEndpoint, spec.name()));
            env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", containerToken);
        }
        if (accessKeys != null) {
            env.put("AWS_ACCESS_KEY_ID", accessKeys.accessKeyId());
            env.put("AWS_SECRET_ACCESS_KEY", accessKeys.secretAccessKey());
            env.put("AWS_SESSION_TOKEN", accessKeys.sessionToken());
        }
        routing.forEach((k, v) -> {
            if (k.startsWith("AWS_ENDPOINT_URL")) {
                env.put(k, v);
            }
        });
        env.put("AWS_ENDPOINT_URL_LAMBDA", serviceEndpoint.toString());
        return env;
    }
}
