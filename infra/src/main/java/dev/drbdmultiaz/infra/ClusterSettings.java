package dev.drbdmultiaz.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.infra.replica.ReplicaNodesProps;
import dev.drbdmultiaz.model.ReconcileSetting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.constructs.Node;

/**
 * The cluster configuration, read once from CDK context (keys prefixed {@code drbd:}) and
 * validated before any construct is built.
 *
 * <p>Every key and its default is listed in {@code cdk.json} so users see what they can set;
 * {@link #defaultContext()} is the same list in code. Override a value with
 * {@code npx cdk synth -c drbd:nodeCount=5} or by editing {@code cdk.json}. An invalid value
 * stops synthesis with an {@link InvalidSettingException} that names the key, the value and
 * what is allowed; the app prints it as one line.
 *
 * @param region AWS region the stack is pinned to ({@code drbd:region})
 * @param availabilityZones exactly three distinct zones of {@code region}
 *     ({@code drbd:availabilityZones})
 * @param nodeCount replica nodes, odd, 3..15 ({@code drbd:nodeCount})
 * @param instanceType EC2 instance type of the replica nodes ({@code drbd:instanceType})
 * @param architecture {@code amd64} or {@code arm64}; must match the instance type
 *     ({@code drbd:architecture})
 * @param ubuntuRelease Ubuntu LTS release of the replica nodes, {@code 22.04} or {@code 24.04}
 *     ({@code drbd:ubuntuRelease})
 * @param dataVolumeGiB size of each node's DRBD backing volume, 20..16384 GiB
 *     ({@code drbd:dataVolumeGiB})
 * @param drbdPort TCP port of the DRBD resource, 1024..65535 ({@code drbd:drbdPort})
 * @param resourceName DRBD resource name ({@code drbd:resourceName})
 * @param vpcCidr IPv4 CIDR of the VPC, /16../24 ({@code drbd:vpcCidr})
 * @param natGateways NAT gateways, 1..3 ({@code drbd:natGateways})
 * @param sshCidr IPv4 CIDR allowed to SSH to the bastion; empty: no SSH ingress at all, the
 *     bastion is reached through SSM Session Manager ({@code drbd:sshCidr})
 * @param lifecycleHookTimeoutSec heartbeat timeout of the launch and terminate lifecycle hooks,
 *     2400..7200 s ({@code drbd:lifecycleHookTimeoutSec})
 * @param readjustIntervalMinutes minutes between scheduled re-adjust reconciles, 5 up to half the
 *     lifecycle hook timeout; 0 switches the schedule off ({@code drbd:readjustIntervalMinutes})
 * @param evictAfterMinutes minutes a member may stay unreachable (SSM agent offline) before the
 *     reconcile marks it Unhealthy so the group replaces it, 0..10080; 0 never ({@code drbd:evictAfterMinutes})
 * @param maxResyncHours hours a run waits for a joining member's resync before it abandons the
 *     member's launch, 1..47: under the lifecycle action's 48-hour global timeout
 *     ({@code drbd:maxResyncHours})
 * @param ami which AMI the nodes run: {@code pinned} (Canonical's AMI when the stack was created, kept until
 *     {@code drbd:ubuntuRelease} or {@code drbd:architecture} changes), {@code latest} (Canonical's current AMI on
 *     every deploy) or an AMI id ({@code drbd:ami}); a change of AMI replaces the nodes one at a time
 * @param removalPolicy what {@code cdk destroy} does with what outlives the stack's resources: {@code retain}
 *     keeps every data volume and the VPC flow logs, {@code destroy} deletes them ({@code drbd:removalPolicy})
 */
public record ClusterSettings(
        String region,
        List<String> availabilityZones,
        int nodeCount,
        String instanceType,
        String architecture,
        String ubuntuRelease,
        int dataVolumeGiB,
        int drbdPort,
        String resourceName,
        String vpcCidr,
        int natGateways,
        Optional<String> sshCidr,
        int lifecycleHookTimeoutSec,
        int readjustIntervalMinutes,
        int evictAfterMinutes,
        int maxResyncHours,
        String removalPolicy,
        String ami) {

    public static final String PREFIX = "drbd:";
    public static final String REGION = PREFIX + "region";
    public static final String AVAILABILITY_ZONES = PREFIX + "availabilityZones";
    public static final String NODE_COUNT = PREFIX + "nodeCount";
    public static final String INSTANCE_TYPE = PREFIX + "instanceType";
    public static final String ARCHITECTURE = PREFIX + "architecture";
    public static final String UBUNTU_RELEASE = PREFIX + "ubuntuRelease";
    public static final String DATA_VOLUME_GIB = PREFIX + "dataVolumeGiB";
    public static final String DRBD_PORT = PREFIX + "drbdPort";
    public static final String RESOURCE_NAME = PREFIX + "resourceName";
    public static final String VPC_CIDR = PREFIX + "vpcCidr";
    public static final String NAT_GATEWAYS = PREFIX + "natGateways";
    public static final String SSH_CIDR = PREFIX + "sshCidr";
    public static final String LIFECYCLE_HOOK_TIMEOUT_SEC = PREFIX + "lifecycleHookTimeoutSec";
    /** See {@link ReconcileSetting#MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS}. */
    public static final int MIN_LIFECYCLE_HOOK_TIMEOUT_SEC = ReconcileSetting.MIN_AWS_LIFECYCLE_HOOK_TIMEOUT_SECONDS;
    public static final String READJUST_INTERVAL_MINUTES = PREFIX + "readjustIntervalMinutes";
    public static final String EVICT_AFTER_MINUTES = PREFIX + "evictAfterMinutes";
    public static final String MAX_RESYNC_HOURS = PREFIX + "maxResyncHours";
    public static final String REMOVAL_POLICY = PREFIX + "removalPolicy";
    public static final String AMI = PREFIX + "ami";
    /** {@code drbd:removalPolicy}: keep the data volumes and flow logs on {@code cdk destroy} (the default). */
    public static final String RETAIN = "retain";
    /** {@code drbd:removalPolicy}: delete them with the stack. */
    public static final String DESTROY = "destroy";
    /**
     * Amazon EC2 Auto Scaling sends its lifecycle events to EventBridge on a best-effort basis, so
     * the schedule is the backstop for a lost one: it must find the waiting instance while its hook
     * has at least half its heartbeat timeout left.
     */
    static final int MAX_READJUST_SHARE_OF_HOOK_TIMEOUT = 2;

    /** Supported Ubuntu LTS releases (Canonical publishes their AMI ids in public SSM parameters). */
    public static final List<String> UBUNTU_RELEASES = List.of("22.04", "24.04");
    /** Supported CPU architectures, named as in Canonical's SSM parameter paths. */
    public static final List<String> ARCHITECTURES = List.of("amd64", "arm64");

    private static final Pattern REGION_FORM = Pattern.compile("^[a-z]{2}(-[a-z]+)+-\\d{1,2}$");
    /** The form aws-cdk-lib's InstanceType parses: family, generation, capabilities, size. */
    private static final Pattern INSTANCE_TYPE_FORM =
            Pattern.compile("^([a-z]+)(\\d{1,2})([a-z\\-]*)\\.([a-z0-9\\-]+)$");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates every value; see the class documentation for what is allowed. */
    public ClusterSettings {
        require(region != null && REGION_FORM.matcher(region).matches(), REGION, region,
                "an AWS region name such as us-east-1");
        availabilityZones = availabilityZones == null ? null : List.copyOf(availabilityZones);
        requireZones(region, availabilityZones);
        require(ReconcileSetting.NODE_COUNT.accepts(nodeCount), NODE_COUNT, nodeCount,
                ReconcileSetting.NODE_COUNT.describe() + " (DRBD quorum needs a majority)");
        requireInstanceType(instanceType, architecture);
        require(UBUNTU_RELEASES.contains(ubuntuRelease), UBUNTU_RELEASE, ubuntuRelease,
                "one of " + UBUNTU_RELEASES);
        require(ReconcileSetting.DATA_VOLUME_GIB.accepts(dataVolumeGiB), DATA_VOLUME_GIB, dataVolumeGiB,
                "an integer from " + ReconcileSetting.DATA_VOLUME_GIB.describe().replace("..", " to ")
                        + " (gp3 volume size in GiB; a value below what the members' data volumes hold is refused"
                        + " when the reconcile runs)");
        require(ReconcileSetting.DRBD_PORT.accepts(drbdPort), DRBD_PORT, drbdPort,
                "an integer " + ReconcileSetting.DRBD_PORT.describe() + " (an unprivileged TCP port)");
        require(ReconcileSetting.RESOURCE_NAME.accepts(resourceName), RESOURCE_NAME, resourceName,
                ReconcileSetting.RESOURCE_NAME.describe() + ", e.g. r0");
        Optional<Ipv4Cidr> vpc = Ipv4Cidr.parse(vpcCidr);
        require(vpc.isPresent() && vpc.get().prefixLength() >= 16 && vpc.get().prefixLength() <= 24,
                VPC_CIDR, vpcCidr,
                "an IPv4 CIDR from /16 to /24 with no host bits set, e.g. 10.40.0.0/16");
        require(natGateways >= 1 && natGateways <= 3, NAT_GATEWAYS, natGateways,
                "an integer from 1 to 3 (3 = one per availability zone, survives a zone outage)");
        sshCidr = sshCidr == null ? Optional.empty() : sshCidr;
        sshCidr.ifPresent(ClusterSettings::requireSshCidr);
        require(lifecycleHookTimeoutSec >= MIN_LIFECYCLE_HOOK_TIMEOUT_SEC && lifecycleHookTimeoutSec <= 7200,
                LIFECYCLE_HOOK_TIMEOUT_SEC, lifecycleHookTimeoutSec,
                "an integer from " + MIN_LIFECYCLE_HOOK_TIMEOUT_SEC + " to 7200 seconds: the workflow records a"
                        + " heartbeat before each node step, and one step may take up to "
                        + MIN_LIFECYCLE_HOOK_TIMEOUT_SEC + " s (SSM delivery 600 s + the install document's 1800 s)");
        int maxReadjustMinutes = lifecycleHookTimeoutSec / 60 / MAX_READJUST_SHARE_OF_HOOK_TIMEOUT;
        require(readjustIntervalMinutes == 0
                        || (readjustIntervalMinutes >= 5 && readjustIntervalMinutes <= maxReadjustMinutes),
                READJUST_INTERVAL_MINUTES, readjustIntervalMinutes,
                "0 (no scheduled re-adjust) or an integer from 5 to " + maxReadjustMinutes + " minutes: at most"
                        + " half of " + LIFECYCLE_HOOK_TIMEOUT_SEC + "=" + lifecycleHookTimeoutSec + " s, so that a"
                        + " lifecycle event EventBridge did not deliver is picked up before its hook times out");
        require(evictAfterMinutes >= 0 && evictAfterMinutes <= 10080, EVICT_AFTER_MINUTES, evictAfterMinutes,
                "0 (never replace an unreachable member) or an integer from 1 to 10080 minutes (a week)");
        require(ReconcileSetting.MAX_RESYNC_HOURS.accepts(maxResyncHours), MAX_RESYNC_HOURS, maxResyncHours,
                "an integer from " + ReconcileSetting.MAX_RESYNC_HOURS.describe().replace("..", " to ") + " hours:"
                        + " a joining member's launch action waits for its resync, and no lifecycle action can wait"
                        + " longer than its 48-hour global timeout (one hour is left for the steps before)");
        require(RETAIN.equals(removalPolicy) || DESTROY.equals(removalPolicy), REMOVAL_POLICY, removalPolicy,
                "\"" + RETAIN + "\" (cdk destroy keeps every data volume and the VPC flow logs) or \"" + DESTROY
                        + "\" (cdk destroy deletes them)");
        require(ReplicaNodesProps.IMAGE_PINNED.equals(ami) || ReplicaNodesProps.IMAGE_LATEST.equals(ami)
                || (ami != null && ReplicaNodesProps.IMAGE_ID.matcher(ami).matches()), AMI, ami,
                "\"" + ReplicaNodesProps.IMAGE_PINNED + "\" (Canonical's AMI of the first deploy, kept until "
                        + UBUNTU_RELEASE + " or " + ARCHITECTURE + " changes), \"" + ReplicaNodesProps.IMAGE_LATEST
                        + "\" (Canonical's current AMI on every deploy: a new one replaces every node) or an AMI id"
                        + " such as ami-0123456789abcdef0");
    }

    /** @return whether {@code cdk destroy} deletes the data volumes and flow logs ({@code drbd:removalPolicy=destroy}) */
    public boolean destroyDataOnDelete() {
        return DESTROY.equals(removalPolicy);
    }

    /** @return whether a schedule re-runs the reconcile to repair drift */
    public boolean readjustScheduled() {
        return readjustIntervalMinutes > 0;
    }

    /**
     * The defaults of every key, in the order {@code cdk.json} lists them.
     *
     * @return an unmodifiable map from context key to default value ({@code drbd:sshCidr} is
     *     the empty string: no SSH ingress)
     */
    public static Map<String, Object> defaultContext() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put(REGION, "us-east-1");
        d.put(AVAILABILITY_ZONES, List.of("us-east-1a", "us-east-1b", "us-east-1c"));
        d.put(NODE_COUNT, 3);
        d.put(INSTANCE_TYPE, "t3.medium");
        d.put(ARCHITECTURE, "amd64");
        d.put(UBUNTU_RELEASE, "24.04");
        d.put(DATA_VOLUME_GIB, ReconcileSetting.DATA_VOLUME_GIB.defaultInt());
        d.put(DRBD_PORT, 7789);
        d.put(RESOURCE_NAME, "r0");
        d.put(VPC_CIDR, "10.40.0.0/16");
        d.put(NAT_GATEWAYS, 3);
        d.put(SSH_CIDR, "");
        d.put(LIFECYCLE_HOOK_TIMEOUT_SEC, 3600);
        d.put(READJUST_INTERVAL_MINUTES, 30);
        d.put(EVICT_AFTER_MINUTES, 60);
        d.put(MAX_RESYNC_HOURS, ReconcileSetting.MAX_RESYNC_HOURS.defaultInt());
        d.put(REMOVAL_POLICY, RETAIN);
        d.put(AMI, ReplicaNodesProps.IMAGE_PINNED);
        return Collections.unmodifiableMap(d);
    }

    /**
     * Reads the settings from a construct node's context (normally the App's).
     *
     * @param node the node whose context holds the {@code drbd:} keys
     * @return validated settings
     * @throws InvalidSettingException when a value is invalid or a {@code drbd:} key is unknown
     */
    public static ClusterSettings fromContext(Node node) {
        Object all = node.getAllContext();
        Map<String, Object> context = new LinkedHashMap<>();
        if (all instanceof Map<?, ?> map) {
            map.forEach((k, v) -> context.put(String.valueOf(k), v));
        }
        return fromContext(context);
    }

    /**
     * Reads the settings from a context map. Values may be JSON-typed (as in {@code cdk.json}) or
     * strings (as given with {@code cdk -c key=value}); absent keys take their defaults.
     *
     * @param context context key to value; keys without the {@code drbd:} prefix are ignored
     * @return validated settings
     * @throws InvalidSettingException when a value is invalid or a key looks like a {@code drbd:}
     *     key but is none (a typo would otherwise be ignored silently)
     */
    public static ClusterSettings fromContext(Map<String, ?> context) {
        Map<String, Object> defaults = defaultContext();
        Map<String, String> byLooseName = new LinkedHashMap<>();
        defaults.keySet().forEach(key -> byLooseName.put(looseName(key), key));
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(context.keySet())) {
            if (defaults.containsKey(key) || !looksLikeOurs(key, byLooseName)) {
                continue;
            }
            String meant = byLooseName.get(looseName(key));
            unknown.add(key + (meant == null ? "" : " (did you mean " + meant + "?)"));
        }
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException("Unknown context key(s) " + String.join(", ", unknown)
                    + "; allowed drbd: keys are " + defaults.keySet());
        }
        Map<String, Object> values = new LinkedHashMap<>(defaults);
        context.forEach((k, v) -> {
            if (defaults.containsKey(k) && v != null) {
                values.put(k, v);
            }
        });
        String ssh = string(values, SSH_CIDR).trim();
        return new ClusterSettings(
                string(values, REGION),
                zones(values.get(AVAILABILITY_ZONES)),
                integer(values, NODE_COUNT),
                string(values, INSTANCE_TYPE),
                string(values, ARCHITECTURE),
                string(values, UBUNTU_RELEASE),
                integer(values, DATA_VOLUME_GIB),
                integer(values, DRBD_PORT),
                string(values, RESOURCE_NAME),
                string(values, VPC_CIDR),
                integer(values, NAT_GATEWAYS),
                ssh.isEmpty() ? Optional.empty() : Optional.of(ssh),
                integer(values, LIFECYCLE_HOOK_TIMEOUT_SEC),
                integer(values, READJUST_INTERVAL_MINUTES),
                integer(values, EVICT_AFTER_MINUTES),
                integer(values, MAX_RESYNC_HOURS),
                string(values, REMOVAL_POLICY),
                string(values, AMI));
    }

    /**
     * A key meant for this app: it starts with {@code drbd} and a separator in any case
     * ({@code drbd.nodeCount}, {@code DRBD_nodeCount}), or it is a known key with other case or
     * separators ({@code drbd:nodecount}).
     */
    private static boolean looksLikeOurs(String key, Map<String, String> byLooseName) {
        return key.toLowerCase(java.util.Locale.ROOT).matches("^drbd[:._/-].*")
                || byLooseName.containsKey(looseName(key));
    }

    /** Lower case without separators: {@code drbd:nodeCount}, {@code drbd.nodecount} → drbdnodecount. */
    private static String looseName(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static String string(Map<String, Object> values, String key) {
        Object raw = values.get(key);
        if (raw instanceof String s) {
            return s;
        }
        throw invalid(key, raw, "a string"
                + (raw instanceof Number ? " (quote the value in cdk.json)" : ""));
    }

    private static int integer(Map<String, Object> values, String key) {
        Object raw = values.get(key);
        if (raw instanceof Integer i) {
            return i;
        }
        if (raw instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < Integer.MAX_VALUE) {
            return n.intValue();
        }
        if (raw instanceof String s && s.trim().matches("-?\\d{1,9}")) {
            return Integer.parseInt(s.trim());
        }
        throw invalid(key, raw, "an integer");
    }

    /** A JSON list from cdk.json, or the string form of {@code -c}: JSON array or comma list. */
    private static List<String> zones(Object raw) {
        List<?> items;
        if (raw instanceof List<?> list) {
            items = list;
        } else if (raw instanceof String s && s.trim().startsWith("[")) {
            try {
                items = JSON.readValue(s, List.class);
            } catch (JsonProcessingException e) {
                throw invalid(AVAILABILITY_ZONES, raw, "a JSON list of three zone names");
            }
        } else if (raw instanceof String s) {
            items = Arrays.stream(s.split(",")).map(String::trim).toList();
        } else {
            throw invalid(AVAILABILITY_ZONES, raw, "a list of three zone names");
        }
        List<String> names = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String name)) {
                throw invalid(AVAILABILITY_ZONES, raw, "a list of three zone names (strings)");
            }
            names.add(name);
        }
        return names;
    }

    private static void requireZones(String region, List<String> zones) {
        String allowed = "exactly 3 distinct availability zones of region " + region
                + ", e.g. [\"" + region + "a\", \"" + region + "b\", \"" + region + "c\"]";
        require(zones != null && zones.size() == 3 && new HashSet<>(zones).size() == 3,
                AVAILABILITY_ZONES, zones, allowed);
        Pattern zone = Pattern.compile("^" + Pattern.quote(region) + "[a-z]$");
        for (String z : zones) {
            require(z != null && zone.matcher(z).matches(), AVAILABILITY_ZONES, zones, allowed);
        }
    }

    private static void requireInstanceType(String instanceType, String architecture) {
        require(ARCHITECTURES.contains(architecture), ARCHITECTURE, architecture,
                "one of " + ARCHITECTURES);
        Matcher m = instanceType == null ? null : INSTANCE_TYPE_FORM.matcher(instanceType);
        require(m != null && m.matches(), INSTANCE_TYPE, instanceType,
                "an EC2 instance type such as t3.medium or m7g.large");
        // Same rule as aws-cdk-lib's InstanceType.architecture: family "a" or a "g" capability.
        boolean arm = m.group(1).equals("a") || m.group(3).contains("g");
        String wanted = arm ? "arm64" : "amd64";
        if (!wanted.equals(architecture)) {
            throw new InvalidSettingException("Invalid context " + INSTANCE_TYPE + "=" + instanceType
                    + ": it is an " + wanted + " type but " + ARCHITECTURE + "=" + architecture
                    + "; allowed: an instance type of the configured architecture ("
                    + (arm ? "e.g. t3.medium for amd64" : "a Graviton type such as t4g.medium for arm64")
                    + "), or set " + ARCHITECTURE + "=" + wanted);
        }
    }

    private static void requireSshCidr(String text) {
        String allowed = "an IPv4 CIDR from /8 to /32 with no host bits set, e.g. 203.0.113.0/24, or \"\""
                + " for no SSH ingress; 0.0.0.0/0 and ::/0 are refused (Session Manager needs no SSH)";
        Optional<Ipv4Cidr> cidr = Ipv4Cidr.parse(text);
        require(cidr.isPresent() && cidr.get().prefixLength() >= 8, SSH_CIDR, text, allowed);
    }

    private static void require(boolean ok, String key, Object value, String allowed) {
        if (!ok) {
            throw invalid(key, value, allowed);
        }
    }

    private static InvalidSettingException invalid(String key, Object value, String allowed) {
        String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return new InvalidSettingException("Invalid context " + key + "=" + shown + ": must be " + allowed);
    }

    /** A context value or key the app refuses; its message is one line naming key, value and what is allowed. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSettingException(String message) {
            super(message);
        }
    }
}
