package dev.drbdmultiaz.infra.replica;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Token;

/**
 * What of the nodes' launch template data makes a member outdated: everything but the data
 * volume's size, which the reconcile grows in place (ModifyVolume, then the nodes' resize).
 *
 * <p>Works on the launch template data resolved at synth time (CfnLaunchTemplate's
 * launchTemplateData: property overrides on the L1 are not seen; ReplicaNodes adds none).
 * What synth knows is hashed; what only CloudFormation knows (every intrinsic function but the
 * structural {@code Fn::Base64} and {@code Fn::Join}: the image id of a custom resource or an SSM
 * parameter, the security group id, the instance profile ARN) is kept as a reference, so that its
 * deploy-time value is part of the fingerprint: a replaced security group or a new image changes
 * it even though the template's text does not.
 */
final class RefreshFingerprint {

    /** Intrinsics whose arguments are walked (their literal parts hashed, their references kept). */
    private static final Set<String> STRUCTURAL = Set.of("Fn::Base64", "Fn::Join");
    private static final String SEPARATOR = "|";

    private final String digest;
    private final List<Object> references;

    private RefreshFingerprint(String digest, List<Object> references) {
        this.digest = digest;
        this.references = references;
    }

    /**
     * @param launchTemplateData the resolved LaunchTemplateData of an AWS::EC2::LaunchTemplate
     * @param dataDeviceName the device whose VolumeSize is left out; the data must map it with a size
     * @return its fingerprint
     */
    static RefreshFingerprint of(Object launchTemplateData, String dataDeviceName) {
        Object withoutSize = withoutVolumeSize(launchTemplateData, dataDeviceName);
        List<Object> references = new ArrayList<>();
        Object shape = extractReferences(withoutSize, references);
        return new RefreshFingerprint(sha256(canonical(shape)), List.copyOf(references));
    }

    /** @return sha-256 (hex) of the synth-known part, references replaced by their position */
    String digest() {
        return digest;
    }

    /** @return the deploy-time values, as the intrinsic functions CloudFormation resolves */
    List<Object> references() {
        return references;
    }

    /** @return digest and references joined by {@value #SEPARATOR}, resolved by CloudFormation */
    String toToken() {
        List<String> parts = new ArrayList<>();
        parts.add(digest);
        references.forEach(r -> parts.add(Token.asString(r)));
        return parts.size() == 1 ? digest : Fn.join(SEPARATOR, parts);
    }

    private static Object withoutVolumeSize(Object data, String deviceName) {
        Map<String, Object> copy = new LinkedHashMap<>(asMap(data, "LaunchTemplateData"));
        List<Object> mappings = new ArrayList<>();
        int removed = 0;
        String mappingsKey = key(copy, "BlockDeviceMappings");
        Object declared = copy.get(mappingsKey);
        if (declared instanceof List<?> list) {
            for (Object item : list) {
                Map<String, Object> mapping = new LinkedHashMap<>(asMap(item, "BlockDeviceMapping"));
                String ebsKey = key(mapping, "Ebs");
                if (deviceName.equals(mapping.get(key(mapping, "DeviceName"))) && mapping.get(ebsKey) instanceof Map<?, ?> ebs) {
                    Map<String, Object> withoutSize = new LinkedHashMap<>(asMap(ebs, "Ebs"));
                    if (withoutSize.remove(key(withoutSize, "VolumeSize")) != null) {
                        removed++;
                    }
                    mapping.put(ebsKey, withoutSize);
                }
                mappings.add(mapping);
            }
        }
        if (removed != 1) {
            throw new IllegalStateException("The launch template must map exactly one " + deviceName
                    + " EBS volume with a VolumeSize, got BlockDeviceMappings " + declared);
        }
        copy.put(mappingsKey, mappings);
        return copy;
    }

    /**
     * The key of a property as the data spells it: CloudFormation's PascalCase, or the camelCase
     * of the L1 struct (CfnLaunchTemplate's launchTemplateData before it renders the template).
     */
    private static String key(Map<String, Object> map, String pascalCase) {
        String camelCase = Character.toLowerCase(pascalCase.charAt(0)) + pascalCase.substring(1);
        return map.containsKey(camelCase) ? camelCase : pascalCase;
    }

    /** A copy of {@code value} with every non-structural intrinsic replaced by {"Reference": index}. */
    private static Object extractReferences(Object value, List<Object> references) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1) {
                String key = String.valueOf(map.keySet().iterator().next());
                if (("Ref".equals(key) || key.startsWith("Fn::")) && !STRUCTURAL.contains(key)) {
                    references.add(map);
                    return Map.of("Reference", references.size() - 1);
                }
            }
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), extractReferences(v, references)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(extractReferences(item, references)));
            return copy;
        }
        return value;
    }

    /** JSON with sorted keys, so equal data hashes equally whatever the order synth produced. */
    static String canonical(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            out.append('{');
            String comma = "";
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                out.append(comma);
                writeString(e.getKey(), out);
                out.append(':');
                write(e.getValue(), out);
                comma = ",";
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            String comma = "";
            for (Object item : list) {
                out.append(comma);
                write(item, out);
                comma = ",";
            }
            out.append(']');
        } else if (value instanceof Number number) {
            // jsii may hand 100 back as 100 or 100.0: one form for both.
            double d = number.doubleValue();
            out.append(d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d));
        } else if (value == null || value instanceof Boolean) {
            out.append(value);
        } else {
            writeString(value.toString(), out);
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value, String what) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalStateException(what + " must be an object, got " + value);
        }
        return (Map<String, Object>) value;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JCA algorithm", e);
        }
    }
}
