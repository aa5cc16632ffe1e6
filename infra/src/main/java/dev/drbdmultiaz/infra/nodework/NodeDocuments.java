package dev.drbdmultiaz.infra.nodework;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ssm.CfnDocument;
import software.constructs.Construct;

/**
 * Deploys every {@code *.yaml} file of a folder as an SSM Command document.
 *
 * <p>Each file must be a schemaVersion 2.2 Command document. CloudFormation generates the
 * document names (no hard-coded name, so two stacks never collide); callers get them through
 * {@link #getDocuments()} keyed by file base name (e.g. {@code drbd-install}) and pass them on.
 * Content updates create a new default version of the same document, so names stay stable.
 *
 * <p>A script line that is exactly {@value #PRELUDE_MARKER} deploys as the text of
 * {@value #PRELUDE_FILE} in the same folder (the functions every document shares), at most one
 * such line per document. {@code rehearsal/runtime/ssm-doc.mjs render} splices the same way, so the
 * tests and the rehearsal run the bytes that Run Command runs.
 */
public class NodeDocuments extends Construct {

    /** SSM's limit on the size of a document's content. */
    static final int MAX_CONTENT_BYTES = 64 * 1024;
    /** The script line replaced by the prelude. */
    public static final String PRELUDE_MARKER = "# @prelude";
    /** The prelude, relative to the documents folder. */
    public static final String PRELUDE_FILE = "lib/prelude.bash";
    private static final Pattern BASE_NAME = Pattern.compile("^[a-z0-9]+(-[a-z0-9]+)*$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, CfnDocument> documents;

    public NodeDocuments(Construct scope, String id, NodeDocumentsProps props) {
        super(scope, id);
        Path folder = props.getDocumentsDirectory();
        List<Path> files = yamlFiles(folder);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("No SSM documents (*.yaml) in "
                    + folder.toAbsolutePath().normalize() + "; the nodes cannot be configured without them");
        }
        Map<String, CfnDocument> byName = new LinkedHashMap<>();
        for (Path file : files) {
            String baseName = baseName(file);
            byName.put(baseName, CfnDocument.Builder.create(this, constructId(baseName))
                    .documentType("Command")
                    .content(content(file))
                    .updateMethod("NewVersion")
                    .build());
        }
        this.documents = Collections.unmodifiableMap(byName);
    }

    /** @return the documents by file base name, in file name order */
    public Map<String, CfnDocument> getDocuments() {
        return documents;
    }

    /**
     * @param baseName file base name, e.g. {@code drbd-install}
     * @return the generated document name (a token)
     */
    public String getDocumentName(String baseName) {
        return document(baseName).getRef();
    }

    /**
     * @param baseName file base name, e.g. {@code drbd-install}
     * @return {@code arn:${Partition}:ssm:${Region}:${Account}:document/<name>}
     */
    public String getDocumentArn(String baseName) {
        return Stack.of(this).formatArn(ArnComponents.builder()
                .service("ssm")
                .resource("document")
                .resourceName(getDocumentName(baseName))
                .build());
    }

    /** @return file base name to generated document name (tokens), in file name order */
    public Map<String, String> getDocumentNames() {
        Map<String, String> names = new LinkedHashMap<>();
        documents.keySet().forEach(base -> names.put(base, getDocumentName(base)));
        return Collections.unmodifiableMap(names);
    }

    /** @return the ARN of every document, in file name order (for IAM statements) */
    public List<String> getDocumentArns() {
        return documents.keySet().stream().map(this::getDocumentArn).toList();
    }

    private CfnDocument document(String baseName) {
        CfnDocument doc = documents.get(baseName);
        if (doc == null) {
            throw new IllegalArgumentException(
                    "No SSM document named " + baseName + "; known: " + documents.keySet());
        }
        return doc;
    }

    private static List<Path> yamlFiles(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + folder, e);
        }
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        String base = name.substring(0, name.length() - ".yaml".length());
        if (!BASE_NAME.matcher(base).matches()) {
            throw new IllegalArgumentException("SSM document file " + file + " must be named like"
                    + " drbd-install.yaml (lowercase words joined by '-'), got " + name);
        }
        return base;
    }

    /** "drbd-install" becomes "DrbdInstall". */
    private static String constructId(String baseName) {
        StringBuilder id = new StringBuilder();
        for (String word : baseName.split("-")) {
            id.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return id.toString();
    }

    /**
     * @param file a document in the documents folder
     * @return the content deployed for it: checked, prelude spliced in, as plain maps and lists
     */
    public static Map<String, Object> content(Path file) {
        Map<String, Object> content = readCommandDocument(file);
        splicePrelude(content, file);
        int size;
        try {
            size = JSON.writeValueAsBytes(content).length;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("SSM document " + file + " cannot be written as JSON", e);
        }
        if (size > MAX_CONTENT_BYTES) {
            throw new IllegalArgumentException("SSM document " + file + " is " + size
                    + " bytes as JSON; SSM allows at most " + MAX_CONTENT_BYTES);
        }
        return content;
    }

    /** Parses and checks a document; returns its content as plain maps and lists. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> readCommandDocument(Path file) {
        Object parsed;
        try {
            parsed = YAML.readValue(file.toFile(), Object.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("SSM document " + file + " is not valid YAML: "
                    + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("SSM document " + file
                    + " must be a YAML mapping with schemaVersion and mainSteps, got " + typeOf(parsed));
        }
        Object version = map.get("schemaVersion");
        if (!"2.2".equals(version)) {
            throw new IllegalArgumentException("SSM document " + file
                    + " must be a Command document with schemaVersion '2.2' (a quoted string), got "
                    + (version instanceof String ? "'" + version + "'" : version + " (" + typeOf(version) + ")"));
        }
        if (!(map.get("mainSteps") instanceof List<?> steps) || steps.isEmpty()) {
            throw new IllegalArgumentException("SSM document " + file
                    + " must have a non-empty mainSteps list, got " + map.get("mainSteps"));
        }
        List<String> problems = new ArrayList<>();
        for (Object step : steps) {
            if (!(step instanceof Map<?, ?> s) || !(s.get("action") instanceof String)
                    || !(s.get("name") instanceof String)) {
                problems.add(String.valueOf(step).lines().findFirst().orElse(""));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("SSM document " + file
                    + " has mainSteps without a string action and name: " + problems);
        }
        return (Map<String, Object>) map;
    }

    /**
     * Replaces the marker line in the runCommand strings of every step by the prelude's text
     * without its final newline (the marker's own line break follows it), as ssm-doc.mjs does
     * on the joined script.
     */
    @SuppressWarnings("unchecked")
    private static void splicePrelude(Map<String, Object> content, Path file) {
        int markers = 0;
        for (Object step : (List<Object>) content.get("mainSteps")) {
            if (!(((Map<String, Object>) step).get("inputs") instanceof Map<?, ?> inputs)
                    || !(inputs.get("runCommand") instanceof List<?> commands)) {
                continue;
            }
            List<Object> lines = (List<Object>) commands;
            for (int i = 0; i < lines.size(); i++) {
                if (!(lines.get(i) instanceof String text)) {
                    continue;
                }
                String[] split = text.split("\n", -1);
                for (int j = 0; j < split.length; j++) {
                    if (split[j].equals(PRELUDE_MARKER)) {
                        markers++;
                        split[j] = prelude(file);
                    }
                }
                lines.set(i, String.join("\n", split));
            }
        }
        if (markers > 1) {
            throw new IllegalArgumentException("SSM document " + file + " has " + markers + " \""
                    + PRELUDE_MARKER + "\" lines; at most one is spliced");
        }
    }

    private static String prelude(Path document) {
        Path file = document.toAbsolutePath().getParent().resolve(PRELUDE_FILE);
        try {
            String text = Files.readString(file);
            return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            throw new IllegalArgumentException("SSM document " + document + " has a \"" + PRELUDE_MARKER
                    + "\" line, but its prelude " + file + " cannot be read", e);
        }
    }

    private static String typeOf(Object value) {
        return value == null ? "nothing" : value.getClass().getSimpleName();
    }
}
