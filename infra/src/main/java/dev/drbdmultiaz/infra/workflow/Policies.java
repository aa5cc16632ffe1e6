package dev.drbdmultiaz.infra.workflow;

import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.constructs.IConstruct;

/** IAM statements of the workflow's roles. */
final class Policies {

    private Policies() {
    }

    static PolicyStatement statement(String sid, List<String> resources, String... actions) {
        return PolicyStatement.Builder.create()
                .sid(sid).actions(List.of(actions)).resources(resources).build();
    }

    /** Every execution of the state machine named {@code stateMachineName} in this stack's account and region. */
    static String executionsOf(IConstruct scope, String stateMachineName) {
        return Stack.of(scope).formatArn(ArnComponents.builder()
                .service("states").resource("execution")
                .resourceName(stateMachineName + ":*")
                .arnFormat(ArnFormat.COLON_RESOURCE_NAME)
                .build());
    }

    /** Every EC2 volume of this stack's account and region: statements on it carry {@link #ofCluster}. */
    static String volumes(IConstruct scope) {
        return Stack.of(scope).formatArn(ArnComponents.builder()
                .service("ec2").resource("volume").resourceName("*").build());
    }

    /** The condition that limits a statement on volumes to those with this cluster's tag (aws:ResourceTag). */
    static Map<String, Object> ofCluster(String clusterTagKey, String clusterId) {
        return Map.of("aws:ResourceTag/" + clusterTagKey, clusterId);
    }

    /** DescribeVolumes: EC2 gives it no resource-level permission. */
    static PolicyStatement describeVolumes() {
        return statement("DescribeDataVolumes", List.of("*"), "ec2:DescribeVolumes");
    }

    /** DeleteVolume on volumes with this cluster's tag only (EC2 "Actions, resources, and condition keys"). */
    static PolicyStatement deleteClusterVolumes(IConstruct scope, String clusterTagKey, String clusterId) {
        return onClusterVolumes(scope, "DeleteDataVolumes", "ec2:DeleteVolume", clusterTagKey, clusterId);
    }

    /**
     * ModifyVolume (GrowDataVolumes grows a member's data volume in place) on volumes with this
     * cluster's tag only: EC2 "Actions, resources, and condition keys" lists the volume resource and
     * aws:ResourceTag for it.
     */
    static PolicyStatement modifyClusterVolumes(IConstruct scope, String clusterTagKey, String clusterId) {
        return onClusterVolumes(scope, "GrowDataVolumes", "ec2:ModifyVolume", clusterTagKey, clusterId);
    }

    private static PolicyStatement onClusterVolumes(IConstruct scope, String sid, String action, String clusterTagKey,
            String clusterId) {
        return PolicyStatement.Builder.create()
                .sid(sid)
                .actions(List.of(action))
                .resources(List.of(volumes(scope)))
                .conditions(Map.of("StringEquals", ofCluster(clusterTagKey, clusterId)))
                .build();
    }
}
