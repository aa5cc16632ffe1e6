package dev.drbdmultiaz.rehearsal.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.infra.nodework.NodeDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The template's SSM documents, each under its generated name: the deployed content (JSON, which
 * is YAML too, prelude spliced in) written to the sandbox as {@code <file base name>.yaml},
 * matched to its source file in {@code ssm-documents/} by the content NodeDocuments deploys for it.
 */
public final class DeployedDocuments {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Path> files;
    private final Map<String, String> baseNames;

    private DeployedDocuments(Map<String, Path> files, Map<String, String> baseNames) {
        this.files = Map.copyOf(files);
        this.baseNames = Map.copyOf(baseNames);
    }

    /** Writes every document of {@code stack} to {@code dir}, matched to its file in {@code sources}. */
    public static DeployedDocuments write(DeployedStack stack, Path sources, Path dir) {
        Map<JsonNode, String> bySource = new LinkedHashMap<>();
        try (Stream<Path> list = Files.list(sources)) {
            for (Path file : list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                bySource.put(JSON.valueToTree(NodeDocuments.content(file)),
                    file.getFileName().toString().replaceFirst("\\.yaml$", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the documents in " + sources, e);
        }
        Map<String, Path> files = new TreeMap<>();
        Map<String, String> baseNames = new TreeMap<>();
        try {
            Files.createDirectories(dir);
            for (String id : stack.logicalIds("AWS::SSM::Document")) {
                JsonNode content = stack.property(id, "Content");
                String base = bySource.get(content);
                if (base == null) {
                    throw new IllegalStateException("Document " + id + " of the template matches no file in " + sources);
                }
                Path file = dir.resolve(base + ".yaml");
                Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(content));
                files.put(stack.ref(id), file);
                baseNames.put(stack.ref(id), base);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DeployedDocuments(files, baseNames);
    }

    /** The written file of each document, by deployed name. */
    public Map<String, Path> files() {
        return files;
    }

    /** The file base name ({@code drbd-up}) of a deployed document name (the name itself if unknown). */
    public String baseName(String documentName) {
        return baseNames.getOrDefault(documentName, documentName);
    }
}
