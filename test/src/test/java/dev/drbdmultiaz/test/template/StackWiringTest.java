package dev.drbdmultiaz.test.template;

import static dev.drbdmultiaz.test.template.TemplateFixture.list;
import static dev.drbdmultiaz.test.template.TemplateFixture.map;
import static dev.drbdmultiaz.test.template.TemplateFixture.props;
import static dev.drbdmultiaz.test.template.TemplateFixture.resources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.assertions.Template;

@DisplayName("Stack wiring of the reconcile workflow")
class StackWiringTest {

    @Test
    @DisplayName("the group depends on the lifecycle rules and the trigger, so its first launches start reconciles")
    void groupWaitsForLaunchEventPath() {
        DrbdMultiAzStack stack = TemplateFixture.defaultStack();
        Template t = TemplateFixture.defaultTemplate();
        String group = TemplateFixture.logicalId(stack.getReplicaNodes().getAutoScalingGroup());
        Set<String> dependsOn = dependsOn(t, group);
        Map<String, Map<String, Object>> rules = resources(t, "AWS::Events::Rule");
        List<String> lifecycleRules = rules.entrySet().stream()
                .filter(e -> String.valueOf(eventPattern(e.getValue()).get("source")).contains("aws.autoscaling"))
                .map(Map.Entry::getKey).toList();
        assertEquals(2, lifecycleRules.size(), "launch and terminate rules");
        assertTrue(dependsOn.containsAll(lifecycleRules), "group DependsOn " + dependsOn);
        Set<String> permissions = resources(t, "AWS::Lambda::Permission").keySet();
        assertTrue(permissions.stream().anyMatch(dependsOn::contains),
                "group must wait for the trigger's invoke permission; DependsOn " + dependsOn);
    }

    @Test
    @DisplayName("the lifecycle rules name the group by its synth-time name, not by a reference to it")
    void rulesMatchGroupByName() {
        DrbdMultiAzStack stack = TemplateFixture.defaultStack();
        Template t = TemplateFixture.defaultTemplate();
        String groupName = stack.getReplicaNodes().getGroupName();
        Map<String, Object> group = resources(t, "AWS::AutoScaling::AutoScalingGroup").values().iterator().next();
        assertEquals(groupName, props(group).get("AutoScalingGroupName"));
        resources(t, "AWS::Events::Rule").values().stream()
                .map(StackWiringTest::eventPattern)
                .filter(pattern -> String.valueOf(pattern.get("source")).contains("aws.autoscaling"))
                .forEach(pattern -> assertEquals(List.of(groupName),
                        map(pattern.get("detail")).get("AutoScalingGroupName")));
    }

    @Test
    @DisplayName("the deploy reconcile runs after the group exists and carries the config hash")
    void deployReconcileAfterGroup() {
        DrbdMultiAzStack stack = TemplateFixture.defaultStack();
        Template t = TemplateFixture.defaultTemplate();
        String group = TemplateFixture.logicalId(stack.getReplicaNodes().getAutoScalingGroup());
        Map<String, Map<String, Object>> deploy = resources(t, "Custom::DrbdReconcile");
        assertEquals(1, deploy.size());
        String id = deploy.keySet().iterator().next();
        assertTrue(dependsOn(t, id).contains(group), "deploy reconcile DependsOn " + dependsOn(t, id));
        assertTrue(String.valueOf(props(deploy.get(id)).get("ConfigHash")).matches("[0-9a-f]{64}"));
    }

    @Test
    @DisplayName("a changed setting changes the config hash, so cdk deploy re-runs the reconcile")
    void configHashFollowsSettings() {
        Object before = props(resources(TemplateFixture.defaultTemplate(), "Custom::DrbdReconcile")
                .values().iterator().next()).get("ConfigHash");
        Object after = props(resources(TemplateFixture.template(Map.of("drbd:drbdPort", 7800)),
                "Custom::DrbdReconcile").values().iterator().next()).get("ConfigHash");
        assertTrue(!before.equals(after), "hash must change with drbd:drbdPort");
    }

    @Test
    @DisplayName("the re-adjust schedule follows drbd:readjustIntervalMinutes and 0 switches it off")
    void readjustSchedule() {
        assertEquals(List.of("rate(30 minutes)"), scheduleExpressions(TemplateFixture.defaultTemplate()));
        assertEquals(List.of("rate(15 minutes)"),
                scheduleExpressions(TemplateFixture.template(Map.of("drbd:readjustIntervalMinutes", 15))));
        assertEquals(List.of(), scheduleExpressions(TemplateFixture.template(Map.of("drbd:readjustIntervalMinutes", 0))));
    }

    @Test
    @DisplayName("fails on a re-adjust interval outside 0 or 5..1440, naming the key")
    void failsOnBadReadjustInterval() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TemplateFixture.stack(Map.of("drbd:readjustIntervalMinutes", 2)));
        assertTrue(e.getMessage().contains("drbd:readjustIntervalMinutes=2"), e::getMessage);
    }

    /** @return the rule's event pattern; empty for a schedule rule */
    private static Map<String, Object> eventPattern(Map<String, Object> rule) {
        Object pattern = props(rule).get("EventPattern");
        return pattern == null ? Map.of() : map(pattern);
    }

    private static List<Object> scheduleExpressions(Template t) {
        return resources(t, "AWS::Events::Rule").values().stream()
                .map(rule -> props(rule).get("ScheduleExpression"))
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    private static Set<String> dependsOn(Template t, String logicalId) {
        Map<String, Object> resource = map(t.toJSON().get("Resources")).entrySet().stream()
                .filter(e -> e.getKey().equals(logicalId))
                .map(e -> map(e.getValue())).findFirst().orElseThrow();
        return list(resource.get("DependsOn")).stream().map(String::valueOf).collect(Collectors.toSet());
    }
}
