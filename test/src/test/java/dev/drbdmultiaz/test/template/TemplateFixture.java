package dev.drbdmultiaz.test.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.infra.ClusterSettings;
import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import dev.drbdmultiaz.infra.DrbdMultiAzStackProps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;

/**
 * Builds the stack in-process the way {@code cdk synth} does: with the context of
 * {@code cdk.json} (cluster defaults and feature flags) plus per-test overrides.
 * Surefire runs in {@code test/}, so the repository root is {@code ..}.
 */
final class TemplateFixture {

    static final Path PROJECT_ROOT = Path.of("..");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Template defaultTemplate;
    private static DrbdMultiAzStack defaultStack;

    private TemplateFixture() {
    }

    /** @return the "context" object of cdk.json */
    @SuppressWarnings("unchecked")
    static Map<String, Object> cdkJsonContext() {
        return (Map<String, Object>) cdkJson().get("context");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cdkJson() {
        try {
            return JSON.readValue(PROJECT_ROOT.resolve("cdk.json").toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return an App whose context is cdk.json's, with the given keys replaced */
    static App app(Map<String, ?> overrides) {
        return app(overrides, null);
    }

    static App app(Map<String, ?> overrides, Path outdir) {
        Map<String, Object> context = new LinkedHashMap<>(cdkJsonContext());
        context.putAll(overrides);
        App.Builder builder = App.Builder.create().context(context);
        if (outdir != null) {
            builder.outdir(outdir.toAbsolutePath().toString());
        }
        return builder.build();
    }

    /** @return the stack in the given app, with the project's documents */
    static DrbdMultiAzStack stack(App app) {
        return stack(app, PROJECT_ROOT.resolve("ssm-documents"));
    }

    static DrbdMultiAzStack stack(App app, Path documents) {
        return new DrbdMultiAzStack(app, "DrbdMultiAz", DrbdMultiAzStackProps.builder()
                .projectRoot(PROJECT_ROOT)
                .settings(ClusterSettings.fromContext(app.getNode()))
                .ssmDocumentsDirectory(documents)
                .build());
    }

    /** @return a stack with cdk.json's context plus the overrides */
    static DrbdMultiAzStack stack(Map<String, ?> overrides) {
        return stack(app(overrides));
    }

    /** @return the template of the given context overrides */
    static Template template(Map<String, ?> overrides) {
        return Template.fromStack(stack(overrides));
    }

    /** @return the default stack (synthesized once per test run) */
    static synchronized DrbdMultiAzStack defaultStack() {
        if (defaultStack == null) {
            defaultStack = stack(Map.of());
            defaultTemplate = Template.fromStack(defaultStack);
        }
        return defaultStack;
    }

    /** @return the template of the default stack (synthesized once per test run) */
    static synchronized Template defaultTemplate() {
        defaultStack();
        return defaultTemplate;
    }

    /** @return the logical id of a construct's CloudFormation resource */
    static String logicalId(IConstruct construct) {
        IConstruct child = construct instanceof CfnElement ? construct : construct.getNode().getDefaultChild();
        CfnElement element = (CfnElement) child;
        return (String) element.getStack().resolve(element.getLogicalId());
    }

    /** @return resources of a type: logical id to resource (Type, Properties, ...) */
    static Map<String, Map<String, Object>> resources(Template template, String type) {
        return new LinkedHashMap<>(template.findResources(type));
    }

    /** @return the Properties of a resource (empty if it has none) */
    @SuppressWarnings("unchecked")
    static Map<String, Object> props(Map<String, Object> resource) {
        Object p = resource.get("Properties");
        return p == null ? Map.of() : (Map<String, Object>) p;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    /** @return the value at {@code keys} under {@code value} (nested objects), or null where one is missing */
    static Object flattenPath(Object value, String... keys) {
        Object current = value;
        for (String key : keys) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    /** @return the logical id in {"Ref": id}, or null when the value is not a Ref */
    static String ref(Object value) {
        return value instanceof Map<?, ?> m && m.get("Ref") instanceof String s ? s : null;
    }

    /** @return the logical id in {"Fn::GetAtt": [id, attribute]}, or null */
    static String getAttId(Object value, String attribute) {
        if (value instanceof Map<?, ?> m && m.get("Fn::GetAtt") instanceof List<?> l
                && l.size() == 2 && attribute.equals(l.get(1))) {
            return (String) l.get(0);
        }
        return null;
    }

    /** @return an Fn::Join (or a string) as text, with {"Ref": id} shown as <id> */
    static String flatten(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Map<?, ?> m && m.get("Fn::Join") instanceof List<?> join) {
            List<String> parts = new ArrayList<>();
            for (Object part : (List<?>) join.get(1)) {
                parts.add(flatten(part));
            }
            return String.join((String) join.get(0), parts);
        }
        String id = ref(value);
        return id != null ? "<" + id + ">" : String.valueOf(value);
    }

    /** @return every ingress rule: inline ones of AWS::EC2::SecurityGroup and standalone ones */
    static List<Map<String, Object>> allIngressRules(Template template) {
        List<Map<String, Object>> rules = new ArrayList<>();
        resources(template, "AWS::EC2::SecurityGroup").values().forEach(sg ->
                list(props(sg).get("SecurityGroupIngress")).forEach(r -> rules.add(map(r))));
        resources(template, "AWS::EC2::SecurityGroupIngress").values().forEach(r -> rules.add(props(r)));
        return rules;
    }

    /** @return the template as JSON text */
    static String json(Template template) {
        try {
            return JSON.writeValueAsString(template.toJSON());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
