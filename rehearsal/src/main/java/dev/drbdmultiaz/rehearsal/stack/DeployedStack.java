package dev.drbdmultiaz.rehearsal.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The synthesized template as CloudFormation would deploy it into the rehearsal's account: every
 * resource gets the physical name CloudFormation would give it ({@code <stack>-<logical id>-<random>}
 * unless the template names it), and the intrinsic functions the stack uses ({@code Ref},
 * {@code Fn::GetAtt}, {@code Fn::Join}, {@code Fn::Sub}, {@code Fn::Select}, {@code Fn::Split}, {@code Fn::Base64},
 * pseudo parameters) resolve to those names and ARNs. An intrinsic or attribute the rehearsal
 * does not know fails loudly: guessing would hide a template the real service might refuse.
 */
public final class DeployedStack {

    public static final String ACCOUNT = "123456789012";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9:._]+)}");
    private static final String UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private final SynthesizedStack synthesized;
    private final JsonNode resources;
    private final String stackName;
    private final String region;
    private final Random random;
    private final Map<String, String> refs = new TreeMap<>();
    private final Map<String, Map<String, String>> attributes = new TreeMap<>();

    /**
     * @param seed makes the generated suffixes repeatable (the rehearsal passes a fixed one)
     */
    public DeployedStack(SynthesizedStack synthesized, String region, long seed) {
        this.synthesized = synthesized;
        this.resources = synthesized.template().path("Resources");
        this.stackName = SynthesizedStack.STACK_NAME;
        this.region = region;
        this.random = new Random(seed);
        resources.properties().forEach(entry -> name(entry.getKey(), entry.getValue()));
    }

    public SynthesizedStack synthesized() {
        return synthesized;
    }

    public String region() {
        return region;
    }

    public String stackName() {
        return stackName;
    }

    /** {@code arn:aws:<service>:<region>:<account>:<resource>} */
    public String arn(String service, String resource) {
        return "arn:aws:" + service + ":" + region + ":" + ACCOUNT + ":" + resource;
    }

    /** The resource of a logical id. */
    public JsonNode resource(String logicalId) {
        JsonNode resource = resources.get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("No resource " + logicalId + " in the template");
        }
        return resource;
    }

    /** Logical ids of the resources of a type, in template order. */
    public List<String> logicalIds(String type) {
        return logicalIds(r -> type.equals(r.path("Type").asText()));
    }

    /** Logical ids of the resources that match, in template order. */
    public List<String> logicalIds(Predicate<JsonNode> filter) {
        List<String> ids = new ArrayList<>();
        resources.properties().forEach(e -> {
            if (filter.test(e.getValue())) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    /** What {@code Ref} returns for a logical id. */
    public String ref(String logicalId) {
        String value = refs.get(logicalId);
        if (value == null) {
            throw new IllegalArgumentException("Ref to unknown resource " + logicalId);
        }
        return value;
    }

    /** What {@code Fn::GetAtt} returns. */
    public String attribute(String logicalId, String attribute) {
        String value = attributes.getOrDefault(logicalId, Map.of()).get(attribute);
        if (value == null) {
            throw new IllegalArgumentException("The rehearsal does not know attribute " + attribute + " of "
                + logicalId + " (" + resource(logicalId).path("Type").asText() + ")");
        }
        return value;
    }

    /** A property of a resource with every intrinsic function resolved. */
    public JsonNode property(String logicalId, String property) {
        return resolve(resource(logicalId).path("Properties").path(property));
    }

    /** {@link #property} as text. */
    public String text(String logicalId, String property) {
        JsonNode value = property(logicalId, property);
        return value.isMissingNode() || value.isNull() ? null : value.asText();
    }

    /** A function's environment variables, resolved. */
    public Map<String, String> environment(String functionLogicalId) {
        Map<String, String> env = new TreeMap<>();
        property(functionLogicalId, "Environment").path("Variables").properties()
            .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    /** Resolves every intrinsic function in {@code value}. */
    public JsonNode resolve(JsonNode value) {
        if (value.isObject() && value.size() == 1) {
            Map.Entry<String, JsonNode> only = value.properties().iterator().next();
            String fn = only.getKey();
            JsonNode arg = only.getValue();
            switch (fn) {
                case "Ref" -> {
                    return TextNode.valueOf(refOrPseudo(arg.asText()));
                }
                case "Fn::GetAtt" -> {
                    String id = arg.isArray() ? arg.get(0).asText() : arg.asText().substring(0, arg.asText().indexOf('.'));
                    String att = arg.isArray() ? resolve(arg.get(1)).asText()
                        : arg.asText().substring(arg.asText().indexOf('.') + 1);
                    return TextNode.valueOf(attribute(id, att));
                }
                case "Fn::Join" -> {
                    List<String> parts = new ArrayList<>();
                    resolve(arg.get(1)).forEach(p -> parts.add(p.asText()));
                    return TextNode.valueOf(String.join(arg.get(0).asText(), parts));
                }
                case "Fn::Sub" -> {
                    String template = arg.isArray() ? arg.get(0).asText() : arg.asText();
                    Map<String, String> vars = new LinkedHashMap<>();
                    if (arg.isArray()) {
                        arg.get(1).properties().forEach(e -> vars.put(e.getKey(), resolve(e.getValue()).asText()));
                    }
                    return TextNode.valueOf(sub(template, vars));
                }
                case "Fn::Base64" -> {
                    return TextNode.valueOf(java.util.Base64.getEncoder().encodeToString(
                        resolve(arg).asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                }
                case "Fn::Select" -> {
                    return resolve(arg.get(1)).get(arg.get(0).asInt());
                }
                case "Fn::Split" -> {
                    ArrayNode parts = JSON.createArrayNode();
                    for (String part : resolve(arg.get(1)).asText().split(Pattern.quote(arg.get(0).asText()), -1)) {
                        parts.add(part);
                    }
                    return parts;
                }
                default -> {
                    if (fn.startsWith("Fn::")) {
                        throw new IllegalArgumentException("The rehearsal does not resolve " + fn + ": " + value);
                    }
                }
            }
        }
        if (value.isObject()) {
            var copy = JSON.createObjectNode();
            value.properties().forEach(e -> copy.set(e.getKey(), resolve(e.getValue())));
            return copy;
        }
        if (value.isArray()) {
            ArrayNode copy = JSON.createArrayNode();
            for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
                copy.add(resolve(it.next()));
            }
            return copy;
        }
        return value;
    }

    private String sub(String template, Map<String, String> vars) {
        Matcher m = SUB_VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = vars.containsKey(name) ? vars.get(name)
                : name.contains(".") ? attribute(name.substring(0, name.indexOf('.')), name.substring(name.indexOf('.') + 1))
                : refOrPseudo(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private String refOrPseudo(String name) {
        return switch (name) {
            case "AWS::Region" -> region;
            case "AWS::AccountId" -> ACCOUNT;
            case "AWS::Partition" -> "aws";
            case "AWS::URLSuffix" -> "amazonaws.com";
            case "AWS::StackName" -> stackName;
            case "AWS::StackId" -> arn("cloudformation", "stack/" + stackName + "/" + uuid());
            default -> {
                if (synthesized.template().path("Parameters").has(name)) {
                    yield "rehearsal-parameter-" + name;
                }
                yield ref(name);
            }
        };
    }

    /** Physical name and attributes of one resource, as CloudFormation would assign them. */
    private void name(String id, JsonNode resource) {
        String type = resource.path("Type").asText();
        JsonNode props = resource.path("Properties");
        Map<String, String> att = new TreeMap<>();
        String ref;
        switch (type) {
            case "AWS::Lambda::Function" -> {
                String name = given(props, "FunctionName", id, 64);
                ref = name;
                att.put("Arn", arn("lambda", "function:" + name));
            }
            case "AWS::Lambda::Version", "AWS::Lambda::Alias" -> {
                return; // named with their function, below
            }
            case "AWS::DynamoDB::Table" -> {
                ref = given(props, "TableName", id, 255);
                att.put("Arn", arn("dynamodb", "table/" + ref));
            }
            case "AWS::SSM::Document" -> ref = given(props, "Name", id, 128);
            case "AWS::SecretsManager::Secret" -> {
                String name = given(props, "Name", id, 128);
                ref = arn("secretsmanager", "secret:" + name + "-" + suffix(6));
                att.put("Id", ref);
            }
            case "AWS::StepFunctions::StateMachine" -> {
                String name = given(props, "StateMachineName", id, 80);
                ref = arn("states", "stateMachine:" + name);
                att.put("Arn", ref);
                att.put("Name", name);
            }
            case "AWS::AutoScaling::AutoScalingGroup" -> ref = given(props, "AutoScalingGroupName", id, 255);
            case "AWS::Logs::LogGroup" -> {
                ref = given(props, "LogGroupName", id, 512);
                att.put("Arn", arn("logs", "log-group:" + ref + ":*"));
            }
            case "AWS::SQS::Queue" -> {
                String name = given(props, "QueueName", id, 80);
                ref = "https://sqs." + region + ".amazonaws.com/" + ACCOUNT + "/" + name;
                att.put("Arn", arn("sqs", name));
                att.put("QueueName", name);
            }
            case "AWS::SNS::Topic" -> {
                ref = arn("sns", given(props, "TopicName", id, 256));
                att.put("TopicArn", ref);
            }
            case "AWS::IAM::Role" -> {
                ref = given(props, "RoleName", id, 64);
                att.put("Arn", "arn:aws:iam::" + ACCOUNT + ":role/" + ref);
            }
            case "AWS::Events::Rule" -> {
                ref = given(props, "Name", id, 64);
                att.put("Arn", arn("events", "rule/" + ref));
            }
            default -> {
                ref = stackName + "-" + truncate(id, 40) + "-" + suffix(12);
                att.putAll(derivedAttributes(type, props, ref));
            }
        }
        refs.put(id, ref);
        attributes.put(id, att);
        if (type.equals("AWS::Lambda::Function")) {
            // Versions and aliases of this function: resolvable now that its name exists.
            resources.properties().forEach(e -> {
                JsonNode other = e.getValue();
                String functionRef = other.path("Properties").path("FunctionName").path("Ref").asText("");
                if (!functionRef.equals(id)) {
                    return;
                }
                String functionArn = arn("lambda", "function:" + ref(id));
                switch (other.path("Type").asText()) {
                    case "AWS::Lambda::Version" -> {
                        refs.put(e.getKey(), functionArn + ":1");
                        attributes.put(e.getKey(), Map.of("Version", "1"));
                    }
                    case "AWS::Lambda::Alias" -> {
                        String aliasArn = functionArn + ":" + other.path("Properties").path("Name").asText();
                        refs.put(e.getKey(), aliasArn);
                        attributes.put(e.getKey(), Map.of("AliasArn", aliasArn));
                    }
                    default -> { }
                }
            });
        }
    }

    /**
     * Attributes of resources named the default way, derived from their name (no draw from the
     * seeded random: every other resource keeps the name it had). The replicas' launch template
     * data refers to them, and so does the fingerprint that decides the group's version.
     */
    private static Map<String, String> derivedAttributes(String type, JsonNode props, String ref) {
        return switch (type) {
            case "AWS::EC2::SecurityGroup" -> Map.of("GroupId", "sg-" + hex(ref, 17));
            case "AWS::IAM::InstanceProfile" -> Map.of("Arn", "arn:aws:iam::" + ACCOUNT + ":instance-profile/" + ref);
            // ReplicaNodes' pinned image: one GetParameter call on create, repeated only when
            // CloudFormation updates the resource, i.e. when its properties change; the answer is
            // then taken to be another AMI (Canonical's current one may have changed), never the same.
            case PINNED_IMAGE_TYPE -> Map.of("Parameter.Value", "ami-" + hex(props.toString(), 17));
            default -> Map.of();
        };
    }

    /** The resource type ReplicaNodes gives its pinned-image lookup (an AwsCustomResource calling SSM GetParameter). */
    private static final String PINNED_IMAGE_TYPE = "Custom::PinnedUbuntuImage";

    private static String hex(String seed, int length) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8))).substring(0, length);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JCA algorithm", e);
        }
    }

    private String given(JsonNode props, String nameProperty, String id, int maxLength) {
        JsonNode given = props.get(nameProperty);
        if (given != null && given.isTextual()) {
            return given.asText();
        }
        String generated = stackName + "-" + truncate(id, Math.max(1, maxLength - stackName.length() - 15)) + "-"
            + suffix(13);
        return generated.length() <= maxLength ? generated : generated.substring(0, maxLength);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    private String suffix(int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(UPPER_ALNUM.charAt(random.nextInt(UPPER_ALNUM.length())));
        }
        return s.toString();
    }

    private String uuid() {
        return new java.util.UUID(random.nextLong(), random.nextLong()).toString().toLowerCase(Locale.ROOT);
    }
}
