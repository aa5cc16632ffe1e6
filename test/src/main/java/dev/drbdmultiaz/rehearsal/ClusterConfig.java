package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rehearsed cluster's settings: cdk.json's context where it has the key (region, zones,
 * resource name, DRBD port, data volume size), the construct defaults otherwise (volume group,
 * thin pool, LV, max peers = node count), and names the stack would generate.
 */
public record ClusterConfig(
    String region,
    List<String> zones,
    String clusterId,
    String groupName,
    String tableName,
    String resourceName,
    int drbdPort,
    int dataVolumeGiB,
    int nodes,
    String volumeGroup,
    String thinPool,
    String logicalVolume,
    String secretArn,
    int pollSeconds,
    int agentWaitMaxAttempts,
    int connectWaitMaxAttempts) {

    public static final String ACCOUNT = "123456789012";

    /**
     * SSM document base names to their ReconcileWorkflow environment variables (the construct maps
     * every {@code ssm-documents/<name>.yaml} the same way; in AWS the value is the generated document name).
     */
    public static final Map<String, String> DOCUMENT_ENVIRONMENT = Map.of(
        "drbd-install", "DOCUMENT_INSTALL",
        "drbd-prepare-lvm", "DOCUMENT_PREPARE_LVM",
        "drbd-write-config", "DOCUMENT_WRITE_CONFIG",
        "drbd-create-md", "DOCUMENT_CREATE_MD",
        "drbd-up", "DOCUMENT_UP",
        "drbd-skip-initial-sync", "DOCUMENT_SKIP_INITIAL_SYNC",
        "drbd-status", "DOCUMENT_STATUS",
        "drbd-forget-peer", "DOCUMENT_FORGET_PEER");

    /** Settings from {@code <projectRoot>/cdk.json} for a cluster of {@code nodes}. */
    public static ClusterConfig fromCdkJson(Path projectRoot, int nodes) {
        JsonNode context;
        try {
            context = new ObjectMapper().readTree(Files.readString(projectRoot.resolve("cdk.json"))).path("context");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read cdk.json in " + projectRoot, e);
        }
        String region = context.path("drbd:region").asText("us-east-1");
        List<String> zones = new ArrayList<>();
        context.path("drbd:availabilityZones").forEach(z -> zones.add(z.asText()));
        if (zones.isEmpty()) {
            zones.addAll(List.of(region + "a", region + "b", region + "c"));
        }
        String resource = context.path("drbd:resourceName").asText("r0");
        String group = "DrbdMultiAz-ReplicaNodes-Group-rehearsal";
        return new ClusterConfig(region, List.copyOf(zones), "DrbdMultiAz/" + resource, group,
            "DrbdMultiAz-ReconcileRegistry-rehearsal", resource, context.path("drbd:drbdPort").asInt(7789),
            context.path("drbd:dataVolumeGiB").asInt(100), nodes, "drbdpool", "thinpool", resource + "data",
            "arn:aws:secretsmanager:" + region + ":" + ACCOUNT + ":secret:DrbdMultiAz-PeerSecret-rehearsal-AbCdEf",
            1, 30, 30);
    }

    public String launchHookName() {
        return groupName + "-launch";
    }

    public String terminateHookName() {
        return groupName + "-terminate";
    }

    public String stateMachineArn() {
        return "arn:aws:states:" + region + ":" + ACCOUNT + ":stateMachine:DrbdMultiAz-Reconcile-rehearsal";
    }

    /** The ARN the definition gets for a function (its {@code live} alias). */
    public String functionArn(String function) {
        return "arn:aws:lambda:" + region + ":" + ACCOUNT + ":function:" + function + ":live";
    }

    /**
     * The environment the CDK construct gives the functions (ReconcileWorkflow.commonEnvironment
     * plus STATE_MACHINE_ARN of the trigger functions), with region, credentials and endpoints
     * pointing at the emulators through the SDK's standard AWS_ENDPOINT_URL_&lt;SERVICE&gt;
     * settings. AWS_ENDPOINT_URL (every other service) points at a closed port, so no call can
     * leave this machine.
     */
    public Map<String, String> lambdaEnvironment(URI dynamoDb, URI autoScaling, URI ssm, URI sfn) {
        Map<String, String> env = new TreeMap<>();
        env.put("CLUSTER_TABLE_NAME", tableName);
        env.put("AUTO_SCALING_GROUP_NAME", groupName);
        env.put("LAUNCH_HOOK_NAME", launchHookName());
        env.put("TERMINATE_HOOK_NAME", terminateHookName());
        env.put("CLUSTER_ID", clusterId);
        env.put("RESOURCE_NAME", resourceName);
        env.put("DRBD_PORT", Integer.toString(drbdPort));
        env.put("VOLUME_GROUP", volumeGroup);
        env.put("THIN_POOL", thinPool);
        env.put("LOGICAL_VOLUME", logicalVolume);
        env.put("VOLUME_SIZE_GIB", Integer.toString(dataVolumeGiB));
        env.put("MAX_PEERS", Integer.toString(nodes));
        env.put("SECRET_ARN", secretArn);
        DOCUMENT_ENVIRONMENT.forEach((document, variable) -> env.put(variable, document));
        env.put("POLL_SECONDS", Integer.toString(pollSeconds));
        env.put("AGENT_WAIT_MAX_ATTEMPTS", Integer.toString(agentWaitMaxAttempts));
        env.put("CONNECT_WAIT_MAX_ATTEMPTS", Integer.toString(connectWaitMaxAttempts));
        env.put("STATE_MACHINE_ARN", stateMachineArn());

        env.put("AWS_REGION", region);
        env.put("AWS_DEFAULT_REGION", region);
        env.put("AWS_ACCESS_KEY_ID", "rehearsal");
        env.put("AWS_SECRET_ACCESS_KEY", "rehearsal");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString());
        env.put("AWS_ENDPOINT_URL_AUTO_SCALING", autoScaling.toString());
        env.put("AWS_ENDPOINT_URL_SSM", ssm.toString());
        env.put("AWS_ENDPOINT_URL_SFN", sfn.toString());
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        env.put("TZ", ":UTC");
        env.put("LANG", "C.UTF-8");
        return env;
    }
}
