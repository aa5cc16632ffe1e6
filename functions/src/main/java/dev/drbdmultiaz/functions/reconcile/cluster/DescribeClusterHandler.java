package dev.drbdmultiaz.functions.reconcile.cluster;

import dev.drbdmultiaz.functions.common.AwsClients;
import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.functions.common.JsonHandler;
import dev.drbdmultiaz.functions.common.priming.Priming;
import dev.drbdmultiaz.functions.common.priming.PrimingRequest;
import dev.drbdmultiaz.functions.reconcile.registry.MembershipRegistry;
import dev.drbdmultiaz.functions.reconcile.state.ClusterSnapshot;
import dev.drbdmultiaz.functions.reconcile.state.ReconcileState;
import java.time.Clock;
import java.util.Objects;

/** DescribeCluster → {@code $.cluster}. */
public final class DescribeClusterHandler extends JsonHandler<ReconcileState, ClusterSnapshot> {

    private final ClusterDescriber describer;

    public DescribeClusterHandler() {
        this(Config.from(Env.system()).describer());
        Priming.register(PrimingRequest.DESCRIBE_GROUP, PrimingRequest.DESCRIBE_TABLE);
    }

    public DescribeClusterHandler(ClusterDescriber describer) {
        super(ReconcileState.class);
        this.describer = Objects.requireNonNull(describer, "describer");
    }

    @Override
    protected ClusterSnapshot handle(ReconcileState state) {
        return describer.describe(state);
    }

    /**
     * Environment of DescribeCluster.
     *
     * @param groupName AUTO_SCALING_GROUP_NAME
     * @param tableName CLUSTER_TABLE_NAME
     */
    public record Config(String groupName, String tableName) {

        public static Config from(Env env) {
            return new Config(env.require("AUTO_SCALING_GROUP_NAME"), env.require("CLUSTER_TABLE_NAME"));
        }

        ClusterDescriber describer() {
            return new ClusterDescriber(AwsClients.autoScaling(),
                new MembershipRegistry(AwsClients.dynamoDb(), tableName, Clock.systemUTC()), groupName);
        }
    }
}
