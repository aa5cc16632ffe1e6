package dev.drbdmultiaz.test.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.ClusterSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;

@DisplayName("Cluster settings from CDK context")
class ClusterSettingsTest {

    @Test
    @DisplayName("cdk.json lists every drbd: key with the default the code uses")
    void cdkJsonListsEveryKeyWithItsDefault() {
        Map<String, Object> inCdkJson = new TreeMap<>();
        TemplateFixture.cdkJsonContext().forEach((k, v) -> {
            if (k.startsWith(ClusterSettings.PREFIX)) {
                inCdkJson.put(k, v);
            }
        });
        assertEquals(new TreeMap<>(ClusterSettings.defaultContext()), inCdkJson);
        assertEquals("bin/cdk-app", TemplateFixture.cdkJson().get("app"));
    }

    @Test
    @DisplayName("defaults give 3 nodes of t3.medium over us-east-1a..c, 100 GiB, port 7789, no SSH")
    void defaults() {
        ClusterSettings s = ClusterSettings.fromContext(Map.of());
        assertEquals("us-east-1", s.region());
        assertEquals(List.of("us-east-1a", "us-east-1b", "us-east-1c"), s.availabilityZones());
        assertEquals(3, s.nodeCount());
        assertEquals("t3.medium", s.instanceType());
        assertEquals("amd64", s.architecture());
        assertEquals("24.04", s.ubuntuRelease());
        assertEquals(100, s.dataVolumeGiB());
        assertEquals(7789, s.drbdPort());
        assertEquals("r0", s.resourceName());
        assertEquals("10.40.0.0/16", s.vpcCidr());
        assertEquals(3, s.natGateways());
        assertEquals(Optional.empty(), s.sshCidr());
        assertEquals(3600, s.lifecycleHookTimeoutSec());
        assertEquals(30, s.readjustIntervalMinutes());
    }

    @Test
    @DisplayName("string values as given with cdk -c are parsed into typed values")
    void parsesCommandLineStrings() {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("drbd:region", "eu-west-1");
        context.put("drbd:availabilityZones", "eu-west-1a, eu-west-1b, eu-west-1c");
        context.put("drbd:nodeCount", "5");
        context.put("drbd:instanceType", "m7g.large");
        context.put("drbd:architecture", "arm64");
        context.put("drbd:sshCidr", "203.0.113.0/24");
        context.put("drbd:lifecycleHookTimeoutSec", 2400.0);
        context.put("drbd:readjustIntervalMinutes", "20");
        ClusterSettings s = ClusterSettings.fromContext(context);
        assertEquals(List.of("eu-west-1a", "eu-west-1b", "eu-west-1c"), s.availabilityZones());
        assertEquals(5, s.nodeCount());
        assertEquals(Optional.of("203.0.113.0/24"), s.sshCidr());
        assertEquals(2400, s.lifecycleHookTimeoutSec());
        assertEquals(List.of("eu-west-1a", "eu-west-1b", "eu-west-1d"), ClusterSettings.fromContext(Map.of(
                "drbd:region", "eu-west-1",
                "drbd:availabilityZones", "[\"eu-west-1a\",\"eu-west-1b\",\"eu-west-1d\"]")).availabilityZones());
    }

    static List<Arguments> invalidValues() {
        return List.of(
                Arguments.of("drbd:nodeCount", 4),
                Arguments.of("drbd:nodeCount", 1),
                Arguments.of("drbd:nodeCount", 17),
                Arguments.of("drbd:nodeCount", "three"),
                Arguments.of("drbd:vpcCidr", "10.40.0.0/33"),
                Arguments.of("drbd:vpcCidr", "not-a-cidr"),
                Arguments.of("drbd:vpcCidr", "10.40.0.1/16"),
                Arguments.of("drbd:vpcCidr", "10.0.0.0/8"),
                Arguments.of("drbd:sshCidr", "0.0.0.0/0"),
                Arguments.of("drbd:sshCidr", "::/0"),
                Arguments.of("drbd:sshCidr", "203.0.113.7"),
                Arguments.of("drbd:drbdPort", 80),
                Arguments.of("drbd:drbdPort", 70000),
                Arguments.of("drbd:resourceName", "R0"),
                Arguments.of("drbd:resourceName", "r0; rm -rf /"),
                Arguments.of("drbd:availabilityZones", List.of("us-east-1a", "us-east-1b")),
                Arguments.of("drbd:availabilityZones", List.of("us-east-1a", "us-east-1a", "us-east-1b")),
                Arguments.of("drbd:availabilityZones", List.of("eu-west-1a", "eu-west-1b", "eu-west-1c")),
                Arguments.of("drbd:lifecycleHookTimeoutSec", 10),
                Arguments.of("drbd:lifecycleHookTimeoutSec", 1800),
                Arguments.of("drbd:lifecycleHookTimeoutSec", 7201),
                Arguments.of("drbd:dataVolumeGiB", 10),
                Arguments.of("drbd:natGateways", 0),
                Arguments.of("drbd:natGateways", 4),
                Arguments.of("drbd:instanceType", "t3medium"),
                Arguments.of("drbd:instanceType", "t4g.medium"),
                Arguments.of("drbd:ubuntuRelease", "20.04"),
                Arguments.of("drbd:architecture", "x86_64"),
                Arguments.of("drbd:readjustIntervalMinutes", 4),
                Arguments.of("drbd:readjustIntervalMinutes", 31),
                Arguments.of("drbd:evictAfterMinutes", -1),
                Arguments.of("drbd:evictAfterMinutes", 10081),
                Arguments.of("drbd:maxResyncHours", 0),
                Arguments.of("drbd:maxResyncHours", 48),
                Arguments.of("drbd:removalPolicy", "delete"),
                Arguments.of("drbd:removalPolicy", "RETAIN"),
                Arguments.of("drbd:ami", "newest"),
                Arguments.of("drbd:ami", "ami-12345"),
                Arguments.of("drbd:ami", "ami-0123456789ABCDEF0"),
                Arguments.of("drbd:region", "moon-1"));
    }

    @ParameterizedTest(name = "fails for {0}={1}")
    @MethodSource("invalidValues")
    @DisplayName("fails on an invalid value with a message naming the key and the value")
    void failsOnInvalidValue(String key, Object value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(Map.of(key, value)));
        String shown = value instanceof List<?> l ? l.toString() : String.valueOf(value);
        assertTrue(e.getMessage().contains(key), () -> "no key in: " + e.getMessage());
        assertTrue(e.getMessage().contains(shown), () -> "no value in: " + e.getMessage());
        assertTrue(e.getMessage().contains("must") || e.getMessage().contains("allowed"),
                () -> "no allowed values in: " + e.getMessage());
    }

    @Test
    @DisplayName("fails on an unknown drbd: key, so a typo is not silently ignored")
    void failsOnUnknownKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(Map.of("drbd:nodecount", 5)));
        assertTrue(e.getMessage().contains("drbd:nodecount"), e::getMessage);
        assertTrue(e.getMessage().contains("drbd:nodeCount"), e::getMessage);
    }

    @ParameterizedTest(name = "refuses {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"drbd.nodeCount", "DRBD:nodeCount", "drbd_nodeCount",
        "drbd-nodeCount", "Drbd:NodeCount", "drbd:node-count"})
    @DisplayName("refuses a key that looks like a drbd: key but is none, naming the key it resembles and the known keys")
    void failsOnNearMissKey(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(Map.of(key, 5)));
        assertTrue(e.getMessage().contains(key + " (did you mean drbd:nodeCount?)"), e::getMessage);
        assertTrue(e.getMessage().contains(ClusterSettings.defaultContext().keySet().toString()), e::getMessage);
    }

    @Test
    @DisplayName("refuses an unknown key with a drbd prefix and another separator, and ignores other apps' keys")
    void failsOnForeignLookingDrbdKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(Map.of("drbd.replicas", 5)));
        assertTrue(e.getMessage().startsWith("Unknown context key(s) drbd.replicas;"), e::getMessage);
        assertEquals(3, ClusterSettings.fromContext(Map.of("@aws-cdk/core:newStyleStackSynthesis", true,
                "drbdmanage", "x", "nodeCount", 5)).nodeCount());
    }

    @ParameterizedTest(name = "hook {0} s allows a schedule of at most {1} minutes")
    @org.junit.jupiter.params.provider.CsvSource({"2400, 20", "3600, 30", "7200, 60"})
    @DisplayName("the re-adjust schedule may be at most half the lifecycle hook timeout (lost events are best effort)")
    void readjustWithinHalfTheHookTimeout(int hookSeconds, int maxMinutes) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("drbd:lifecycleHookTimeoutSec", hookSeconds);
        context.put("drbd:readjustIntervalMinutes", maxMinutes);
        assertEquals(maxMinutes, ClusterSettings.fromContext(context).readjustIntervalMinutes());
        context.put("drbd:readjustIntervalMinutes", maxMinutes + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(context));
        assertTrue(e.getMessage().startsWith("Invalid context drbd:readjustIntervalMinutes=" + (maxMinutes + 1)
                + ": must be 0 (no scheduled re-adjust) or an integer from 5 to " + maxMinutes + " minutes"),
                e::getMessage);
        assertTrue(e.getMessage().contains("drbd:lifecycleHookTimeoutSec=" + hookSeconds), e::getMessage);
        context.put("drbd:readjustIntervalMinutes", 0);
        assertEquals(false, ClusterSettings.fromContext(context).readjustScheduled());
    }

    @Test
    @DisplayName("fails when an arm64 architecture is paired with an x86 instance type")
    void failsOnArchitectureMismatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(Map.of("drbd:architecture", "arm64")));
        assertTrue(e.getMessage().contains("drbd:instanceType=t3.medium"), e::getMessage);
        assertTrue(e.getMessage().contains("drbd:architecture=arm64"), e::getMessage);
    }

    @Test
    @DisplayName("fails when the default amd64 architecture is paired with a Graviton instance type, naming both")
    void failsOnGravitonTypeWithAmd64() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(Map.of("drbd:instanceType", "m7g.large")));
        assertTrue(e.getMessage().contains("drbd:instanceType=m7g.large: it is an arm64 type but"
                + " drbd:architecture=amd64"), e::getMessage);
    }

    @Test
    @DisplayName("fails when the App's context (as cdk synth passes it) holds an even node count")
    void failsThroughTheAppContext() {
        App app = TemplateFixture.app(Map.of("drbd:nodeCount", 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSettings.fromContext(app.getNode()));
        assertTrue(e.getMessage().startsWith("Invalid context drbd:nodeCount=4"), e::getMessage);
    }
}
