package dev.drbdmultiaz.rehearsal.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.infra.ClusterSettings;
import dev.drbdmultiaz.infra.DrbdMultiAzStack;
import dev.drbdmultiaz.infra.DrbdMultiAzStackProps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.cxapi.CloudAssembly;

/**
 * The stack as {@code cdk synth} writes it: the CloudFormation template and the asset folder
 * (the functions jar, the state machine definition, the Provider framework's code), built
 * in-process from {@code cdk.json}'s context plus overrides. The rehearsal deploys from it, so
 * what it runs is what {@code cdk deploy} would upload, not a second description of the stack.
 * One synthesis per JVM and set of overrides (synthesis takes seconds).
 */
public final class SynthesizedStack {

    public static final String STACK_NAME = "DrbdMultiAz";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, SynthesizedStack> CACHE = new ConcurrentHashMap<>();

    private final JsonNode template;
    private final Path outdir;
    private final Map<String, Path> assetsByHash;
    private final ClusterSettings settings;

    private SynthesizedStack(JsonNode template, Path outdir, Map<String, Path> assetsByHash, ClusterSettings settings) {
        this.template = template;
        this.outdir = outdir;
        this.assetsByHash = assetsByHash;
        this.settings = settings;
    }

    /** The settings the stack was built with (cdk.json's context plus the overrides). */
    public ClusterSettings settings() {
        return settings;
    }

    /**
     * The synthesized stack of the project at {@code projectRoot}, with {@code functionsJar} as the
     * Lambda code and {@code overrides} replacing context keys of {@code cdk.json}.
     */
    public static SynthesizedStack of(Path projectRoot, Path functionsJar, Map<String, ?> overrides) {
        Path root = projectRoot.toAbsolutePath().normalize();
        String key = root + "|" + functionsJar.toAbsolutePath() + "|" + new TreeMap<>(overrides);
        // One synthesis at a time: the jsii runtime behind the CDK is single-threaded (aws/jsii#685,
        // "jsii does not (yet) support multi-threading"), and two rehearsals started in parallel for
        // different settings (the scenario tests run two at a time) broke it: app.getNode() came back
        // null. A ConcurrentHashMap computes different keys concurrently, so the lock is on the class.
        synchronized (SynthesizedStack.class) {
            return CACHE.computeIfAbsent(key, k -> synthesize(root, functionsJar, overrides));
        }
    }

    @SuppressWarnings("unchecked")
    private static SynthesizedStack synthesize(Path root, Path functionsJar, Map<String, ?> overrides) {
        Map<String, Object> context;
        try {
            context = new LinkedHashMap<>((Map<String, Object>) JSON.readValue(
                Files.readString(root.resolve("cdk.json")), Map.class).get("context"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read cdk.json in " + root, e);
        }
        context.putAll(overrides);
        Path outdir;
        try {
            outdir = Files.createTempDirectory("drbd-rehearsal-cdk.out-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a cdk.out folder", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(outdir), "rehearsal-cdk.out-cleanup"));
        App app = App.Builder.create().context(context).outdir(outdir.toString()).build();
        ClusterSettings settings = ClusterSettings.fromContext(app.getNode());
        new DrbdMultiAzStack(app, STACK_NAME, DrbdMultiAzStackProps.builder()
            .projectRoot(root)
            .settings(settings)
            .ssmDocumentsDirectory(root.resolve("ssm-documents"))
            .functionsJar(functionsJar.toAbsolutePath())
            .build());
        CloudAssembly assembly = app.synth();
        JsonNode template = JSON.valueToTree(assembly.getStackByName(STACK_NAME).getTemplate());
        Map<String, Path> assets = new TreeMap<>();
        try {
            JsonNode manifest = JSON.readTree(outdir.resolve(STACK_NAME + ".assets.json").toFile());
            manifest.path("files").properties().forEach(entry -> assets.put(entry.getKey(),
                outdir.resolve(entry.getValue().path("source").path("path").asText())));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the asset manifest in " + outdir, e);
        }
        return new SynthesizedStack(template, outdir, Map.copyOf(assets), settings);
    }

    /** The CloudFormation template. */
    public JsonNode template() {
        return template;
    }

    /** The cdk.out folder. */
    public Path outdir() {
        return outdir;
    }

    /** The local file or folder of an asset by its hash (the S3 key without extension). */
    public Path asset(String hash) {
        Path path = assetsByHash.get(hash);
        if (path == null) {
            throw new IllegalArgumentException("No asset " + hash + " in " + outdir + "; known: " + assetsByHash.keySet());
        }
        return path;
    }

    /**
     * The code asset of a Lambda function: the one its Metadata names ({@code aws:asset:path}),
     * else the one its {@code Code.S3Key} names.
     */
    public Path codeOf(JsonNode function) {
        String path = function.path("Metadata").path("aws:asset:path").textValue();
        if (path != null) {
            return outdir.resolve(path);
        }
        String key = Objects.requireNonNull(function.path("Properties").path("Code").path("S3Key").textValue(),
            "function without code asset");
        return asset(key.replaceFirst("\\.[a-z]+$", ""));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}
