package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.model.DataVolume;
import dev.drbdmultiaz.rehearsal.asl.AslRunner;
import dev.drbdmultiaz.rehearsal.aws.AutoScalingFront;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import dev.drbdmultiaz.rehearsal.aws.EventBus;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.aws.MotoServer;
import dev.drbdmultiaz.rehearsal.aws.SerializingFront;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.aws.VolumeModifications;
import dev.drbdmultiaz.rehearsal.lambda.FunctionSpec;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.SsmEmulator;
import dev.drbdmultiaz.rehearsal.stack.DeployedDocuments;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.stack.SynthesizedStack;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateBlockDeviceMappingRequest;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * The emulated account, booted and wired: the stack as {@code cdk synth} writes it, deployed.
 * moto holds DynamoDB, EC2 and Auto Scaling behind the {@link AutoScalingFront} and a
 * {@link SerializingFront}; the {@link StepFunctionsFront} runs the deployed state machines with
 * aws-local-stepfunctions; the {@link SsmEmulator} runs the deployed documents on a
 * {@link NodeFleet}; the {@link LambdaService} runs every function of the template in its own
 * runtime; the {@link EventBus} delivers events through the template's rules. Every request a
 * function makes is signed with credentials the {@link CredentialAuthority} gave its role. Every
 * component compresses AWS time with the options' one {@link CompressedTime}. Closing stops every
 * process it started; so does the JVM's shutdown (Ctrl-C).
 */
final class EmulatedAccount implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Seed of the generated physical names: the same names in every run. */
    private static final long NAME_SEED = 20261201L;

    private final RehearsalOptions options;
    private final CompressedTime time;
    private final Progress progress;
    private final Path sandbox;
    private final ChildProcesses processes = new ChildProcesses();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::interrupted, "rehearsal-shutdown");
    private final CredentialAuthority authority = new CredentialAuthority();
    private DeployedStack stack;
    private StackView view;
    private DeployedDocuments documents;
    private DynamoDbClient dynamoDb;
    private Ec2Client ec2;
    private AutoScalingClient autoScaling;
    private String launchTemplateId;
    private String imageId;
    /** A device no launch template here maps: where moto's orphaned default root volume is detached from. */
    private static final String MOTO_ORPHAN_DEVICE = "/dev/sdz";
    private List<Tag> volumeTags = List.of();
    private SerializingFront ec2Front;
    private VolumeModifications volumeModifications;
    private LifecycleModel lifecycle;
    private AutoScalingFront autoScalingFront;
    private NodeFleet fleet;
    private SsmEmulator ssm;
    private StepFunctionsFront stepFunctions;
    private LambdaService lambda;
    private EventBus events;
    private CustomResources customResources;
    private volatile boolean closed;

    private EmulatedAccount(RehearsalOptions options, Progress progress) {
        this.options = options;
        this.time = options.time();
        this.progress = progress;
        try {
            this.sandbox = options.sandbox() != null ? Files.createDirectories(options.sandbox())
                : Files.createTempDirectory("drbd-rehearsal-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the rehearsal sandbox", e);
        }
    }

    /** Starts the emulated account, the nodes' side and the Lambda service. */
    static EmulatedAccount start(RehearsalOptions options, Progress progress) {
        EmulatedAccount account = new EmulatedAccount(options, progress);
        Runtime.getRuntime().addShutdownHook(account.shutdownHook);
        try {
            account.boot();
        } catch (RuntimeException | Error e) {
            account.close();
            throw e;
        }
        return account;
    }

    private void boot() {
        Path root = options.projectRoot();
        progress.note("sandbox " + sandbox);
        view = synthesize(Map.of());
        stack = view.deployed();
        SynthesizedStack synthesized = stack.synthesized();
        progress.note("synthesized " + SynthesizedStack.STACK_NAME + " in " + synthesized.outdir() + ": group "
            + view.groupName() + ", state machine " + view.reconcileStateMachineArn());

        MotoServer moto = MotoServer.start(processes, sandbox);
        SdkHttpClient http = UrlConnectionHttpClient.builder().build();
        closeables.add(http);
        // The driver is the account's operator and AWS itself: it talks to moto directly.
        var operator = StaticCredentialsProvider.create(AwsBasicCredentials.create("rehearsal", "rehearsal"));
        Region region = Region.of(stack.region());
        dynamoDb = DynamoDbClient.builder().endpointOverride(moto.endpoint()).region(region)
            .credentialsProvider(operator).httpClient(http).build();
        ec2 = Ec2Client.builder().endpointOverride(moto.endpoint()).region(region)
            .credentialsProvider(operator).httpClient(http).build();
        autoScaling = AutoScalingClient.builder().endpointOverride(moto.endpoint()).region(region)
            .credentialsProvider(operator).httpClient(http).build();
        closeables.addAll(List.of(dynamoDb, ec2, autoScaling));
        createRegistryTable();
        // An image of our own: listing moto's built-in catalogue (DescribeImages) costs seconds.
        imageId = ec2.registerImage(b -> b.name("drbd-rehearsal-ubuntu").architecture("x86_64")
            .rootDeviceName("/dev/sda1")).imageId();
        JsonNode templateData = view.replicaLaunchTemplateData();
        volumeTags = launchVolumeTags(templateData);
        launchTemplateId = ec2.createLaunchTemplate(b -> b.launchTemplateName("drbd-rehearsal-replicas")
                .launchTemplateData(d -> d.imageId(imageId).instanceType(synthesized.settings().instanceType())
                    .blockDeviceMappings(blockDeviceMappings(templateData))))
            .launchTemplate().launchTemplateId();
        progress.note("moto_server " + moto.endpoint() + ": registry table " + view.tableName()
            + ", launch template " + launchTemplateId);

        lifecycle = new LifecycleModel(view.groupName(), hook("autoscaling:EC2_INSTANCE_LAUNCHING"),
            hook("autoscaling:EC2_INSTANCE_TERMINATING"), synthesized.settings().availabilityZones(), time);
        closeables.add(lifecycle);
        autoScalingFront = AutoScalingFront.start(moto.endpoint(), lifecycle, authority);
        closeables.add(autoScalingFront);
        SerializingFront dynamoDbFront = SerializingFront.start(moto.endpoint(), authority);
        closeables.add(dynamoDbFront);
        // Only the state machine calls EC2 (its DescribeVolumes, CreateTags and DeleteVolume integrations).
        ec2Front = SerializingFront.start(moto.endpoint(), authority, SerializingFront.Protocol.EC2);
        closeables.add(ec2Front);

        // The nodes package still takes the scale as a number.
        fleet = new NodeFleet(sandbox.resolve("fleet"), root, time);
        closeables.add(fleet);
        // ModifyVolume as EC2 runs it (moto applies it at once); a size increase grows the node's disk.
        volumeModifications = new VolumeModifications(ec2, time);
        closeables.add(volumeModifications);
        volumeModifications.onSizeChanged(this::growAttachedDisk);
        ec2Front.answerWith(volumeModifications);
        documents = DeployedDocuments.write(stack, root.resolve("ssm-documents"), sandbox.resolve("documents"));
        ssm = new SsmEmulator(fleet, documents.files(), authority);
        ssm.setLogGroups(new TreeSet<>(stack.logicalIds("AWS::Logs::LogGroup").stream().map(stack::ref).toList()));
        closeables.add(ssm);

        stepFunctions = StepFunctionsFront.start(authority);
        closeables.add(stepFunctions);
        stepFunctions.addListener(progress);

        Map<String, String> routing = new TreeMap<>();
        routing.put("AWS_REGION", stack.region());
        routing.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDbFront.endpoint().toString());
        routing.put("AWS_ENDPOINT_URL_AUTO_SCALING", autoScalingFront.endpoint().toString());
        routing.put("AWS_ENDPOINT_URL_SSM", ssm.endpoint().toString());
        routing.put("AWS_ENDPOINT_URL_SFN", stepFunctions.endpoint().toString());
        // Every other service: a closed port, so no call can leave this machine.
        routing.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        HttpServer responseBucket = CustomResources.startBucket();
        lambda = new LambdaService(processes, FunctionSpec.of(stack), routing, time, authority, root, sandbox,
            List.of(), Map.of(CustomResources.responseHost(stack.region()), CustomResources.route(responseBucket)));
        closeables.add(lambda);
        customResources = new CustomResources(lambda, stack.region(),
            stack.arn("cloudformation", "stack/" + stack.stackName() + "/" + new UUID(NAME_SEED, NAME_SEED)),
            time, responseBucket);
        closeables.add(customResources);
        events = new EventBus(stack, (target, event) -> lambda.invoke(target, event));
        ssm.events().deliverTo(events::publish, stack.region());

        Path executions = createDirectories(sandbox.resolve("executions"));
        stepFunctions.register(view.reconcileStateMachineArn(), new AslRunner(root,
            view.reconcileDefinition(), view.reconcileSubstitutions(), lambda.endpoint(),
            this::stateMachineEnvironment, Map.of("WaitForCommand", commandPollMillis()),
            time, view.pollSeconds(), Map.of(), executions, processes));
        if (view.removesDataVolumes()) {
            stepFunctions.register(view.removalStateMachineArn(), new AslRunner(root, view.removalDefinition(),
                view.removalSubstitutions(), lambda.endpoint(), this::stateMachineEnvironment, Map.of(), time, 0,
                Map.of(), executions, processes));
        }
        registerWaiter(root, executions);
        progress.note("emulators up: Auto Scaling " + autoScalingFront.endpoint() + ", SSM " + ssm.endpoint()
            + ", Step Functions " + stepFunctions.endpoint() + ", Lambda " + lambda.endpoint() + " ("
            + lambda.functions().size() + " functions)");
    }

    /**
     * The Provider framework's waiter state machine, from its DefinitionString; each Task's Retry
     * interval (30 s between isComplete polls) compressed by the time scale.
     */
    private void registerWaiter(Path root, Path executions) {
        String definition = view.waiterDefinition();
        Path file = executions.resolve("provider-waiter.asl.json");
        Map<String, Long> retryIntervals = new TreeMap<>();
        try {
            Files.writeString(file, definition);
            JSON.readTree(definition).path("States").properties().forEach(state -> {
                JsonNode retry = state.getValue().path("Retry").path(0);
                if (retry.has("IntervalSeconds")) {
                    retryIntervals.put(state.getKey(),
                        time.scaled(Duration.ofSeconds(retry.path("IntervalSeconds").asLong())).toMillis());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stepFunctions.register(view.waiterStateMachineArn(), new AslRunner(root, file, Map.of(), lambda.endpoint(),
            () -> roleEnvironment("states.amazonaws.com"), Map.of(), time, 0, retryIntervals, executions, processes));
    }

    private LifecycleModel.Hook hook(String transition) {
        JsonNode hook = view.hook(transition);
        return new LifecycleModel.Hook(hook.path("LifecycleHookName").asText(),
            Duration.ofSeconds(hook.path("HeartbeatTimeout").asLong(3600)), hook.path("DefaultResult").asText("ABANDON"));
    }

    /** A state machine's environment: its role's credentials and where its EC2 integrations go. */
    private Map<String, String> stateMachineEnvironment() {
        Map<String, String> environment = new TreeMap<>(roleEnvironment("states.amazonaws.com"));
        environment.put("AWS_ENDPOINT_URL_EC2", ec2Front.endpoint().toString());
        return environment;
    }

    /**
     * The template's block device mappings, for moto's launch template: moto creates each instance's
     * volumes from them and, on termination, deletes those with DeleteOnTermination and detaches the
     * rest (which stay, available, as in EC2).
     */
    private static List<LaunchTemplateBlockDeviceMappingRequest> blockDeviceMappings(JsonNode templateData) {
        List<LaunchTemplateBlockDeviceMappingRequest> mappings = new ArrayList<>();
        for (JsonNode mapping : templateData.path("BlockDeviceMappings")) {
            JsonNode ebs = mapping.path("Ebs");
            mappings.add(LaunchTemplateBlockDeviceMappingRequest.builder()
                .deviceName(mapping.path("DeviceName").asText())
                .ebs(e -> e.volumeSize(ebs.path("VolumeSize").asInt()).volumeType(ebs.path("VolumeType").asText())
                    .encrypted(ebs.path("Encrypted").asBoolean()).deleteOnTermination(ebs.path("DeleteOnTermination").asBoolean()))
                .build());
        }
        return mappings;
    }

    /** The tags the template's TagSpecifications put on every volume created at launch. */
    private static List<Tag> launchVolumeTags(JsonNode templateData) {
        List<Tag> tags = new ArrayList<>();
        for (JsonNode specification : templateData.path("TagSpecifications")) {
            if ("volume".equals(specification.path("ResourceType").asText())) {
                specification.path("Tags").forEach(t -> tags.add(Tag.builder().key(t.path("Key").asText())
                    .value(t.path("Value").asText()).build()));
            }
        }
        return List.copyOf(tags);
    }

    /**
     * Gives a launched instance the volumes EC2 would: exactly the launch template's block devices,
     * tagged from its TagSpecifications (moto 5 applies the instance tags of a template, not its
     * volume tags). moto also attaches a default 8 GiB root volume of its own, which the template's
     * root device then replaces in the instance's mapping: never detached nor deleted by moto, it
     * would stay attached after the instance terminated. It is removed here: re-attached under a
     * spare device so that moto's DetachVolume finds it, detached, deleted.
     */
    LaunchedVolume tagLaunchVolumes(String instanceId) {
        var instance = ec2.describeInstances(b -> b.instanceIds(instanceId)).reservations().get(0).instances().get(0);
        Set<String> mapped = instance.blockDeviceMappings().stream().map(m -> m.ebs().volumeId())
            .collect(Collectors.toSet());
        List<String> volumeIds = new ArrayList<>();
        for (var volume : ec2.describeVolumes(b -> b.filters(f -> f.name("attachment.instance-id").values(instanceId)))
            .volumes()) {
            if (mapped.contains(volume.volumeId())) {
                volumeIds.add(volume.volumeId());
                continue;
            }
            ec2.attachVolume(b -> b.volumeId(volume.volumeId()).instanceId(instanceId).device(MOTO_ORPHAN_DEVICE));
            ec2.detachVolume(b -> b.volumeId(volume.volumeId()).instanceId(instanceId).device(MOTO_ORPHAN_DEVICE));
            ec2.deleteVolume(b -> b.volumeId(volume.volumeId()));
        }
        if (!volumeIds.isEmpty() && !volumeTags.isEmpty()) {
            ec2.createTags(b -> b.resources(volumeIds).tags(volumeTags));
        }
        String dataVolume = instance.blockDeviceMappings().stream()
            .filter(m -> DataVolume.DEVICE_NAME.equals(m.deviceName())).map(m -> m.ebs().volumeId()).findFirst()
            .orElseThrow(() -> new IllegalStateException(instanceId + " has no data volume at " + DataVolume.DEVICE_NAME));
        return new LaunchedVolume(dataVolume, ec2.describeVolumes(b -> b.volumeIds(dataVolume)).volumes().get(0).size());
    }

    /** The disk of the instance {@code volumeId} is attached to sees its new size (Nitro: the NVMe namespace grows). */
    private void growAttachedDisk(String volumeId, int gib) {
        ec2.describeVolumes(b -> b.volumeIds(volumeId)).volumes().get(0).attachments().stream()
            .map(a -> a.instanceId()).filter(fleet::isOnline).forEach(id -> fleet.resizeDataVolume(id, gib));
    }

    /** A launched instance's data volume, as EC2 created it from the launch template. */
    record LaunchedVolume(String volumeId, int sizeGiB) {
    }

    /** AWS_REGION and temporary credentials of a service role, as a process environment. */
    private Map<String, String> roleEnvironment(String principal) {
        CredentialAuthority.Issued issued = authority.issue(principal);
        return Map.of("AWS_REGION", stack.region(), "AWS_ACCESS_KEY_ID", issued.accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", issued.secretAccessKey(), "AWS_SESSION_TOKEN", issued.sessionToken());
    }

    /** WaitForCommand's poll: 5 s in AWS, compressed. */
    private long commandPollMillis() {
        return time.scaledPollable(Duration.ofSeconds(5)).toMillis();
    }

    private void createRegistryTable() {
        JsonNode table = stack.resource(view.tableLogicalId()).path("Properties");
        List<KeySchemaElement> keys = new ArrayList<>();
        table.path("KeySchema").forEach(k -> keys.add(KeySchemaElement.builder()
            .attributeName(k.path("AttributeName").asText()).keyType(k.path("KeyType").asText()).build()));
        List<AttributeDefinition> attributes = new ArrayList<>();
        table.path("AttributeDefinitions").forEach(a -> attributes.add(AttributeDefinition.builder()
            .attributeName(a.path("AttributeName").asText()).attributeType(a.path("AttributeType").asText()).build()));
        dynamoDb.createTable(b -> b.tableName(view.tableName()).keySchema(keys).attributeDefinitions(attributes)
            .billingMode(BillingMode.fromValue(table.path("BillingMode").asText("PAY_PER_REQUEST"))));
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RehearsalOptions options() {
        return options;
    }

    CompressedTime time() {
        return time;
    }

    Progress progress() {
        return progress;
    }

    Path sandbox() {
        return sandbox;
    }

    DeployedStack deployed() {
        return stack;
    }

    StackView view() {
        return view;
    }

    /**
     * The stack as {@code cdk synth} makes it: cdk.json's context, the scenario's settings, the node
     * count, then {@code settings} (a later deploy's changes). Same physical names every time.
     */
    StackView synthesize(Map<String, Object> settings) {
        Map<String, Object> context = new TreeMap<>(options.scenario().settings());
        context.put("drbd:nodeCount", options.nodes());
        context.putAll(settings);
        SynthesizedStack synthesized = SynthesizedStack.of(options.projectRoot(), options.functionsJar(), context);
        return new StackView(new DeployedStack(synthesized, synthesized.settings().region(), NAME_SEED));
    }

    DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    Ec2Client ec2() {
        return ec2;
    }

    AutoScalingClient autoScaling() {
        return autoScaling;
    }

    String launchTemplateId() {
        return launchTemplateId;
    }

    /**
     * CloudFormation updates the replicas' launch template: a new version with {@code updated}'s
     * instance type and block devices (the image stays the rehearsal's own).
     *
     * @return the new version number
     */
    String createLaunchTemplateVersion(StackView updated) {
        JsonNode data = updated.replicaLaunchTemplateData();
        String instanceType = updated.deployed().synthesized().settings().instanceType();
        return Long.toString(ec2.createLaunchTemplateVersion(b -> b.launchTemplateId(launchTemplateId)
                .launchTemplateData(d -> d.imageId(imageId).instanceType(instanceType)
                    .blockDeviceMappings(blockDeviceMappings(data))))
            .launchTemplateVersion().versionNumber());
    }

    /**
     * The group launches from launch template {@code version} from now on. moto's Auto Scaling takes
     * the instance type and image of the group's version but passes no version to RunInstances, so
     * its instances would get the block devices (the data volume's size) of the template's default
     * version: the rehearsal makes the group's version the default too.
     */
    void useLaunchTemplateVersion(String version) {
        lifecycle.setLaunchTemplateVersion(version);
        ec2.modifyLaunchTemplate(b -> b.launchTemplateId(launchTemplateId).defaultVersion(version));
        autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(view.groupName())
            .launchTemplate(t -> t.launchTemplateId(launchTemplateId).version(version)));
    }

    LifecycleModel lifecycle() {
        return lifecycle;
    }

    /** The Auto Scaling endpoint the functions call (the driver talks to moto directly). */
    AutoScalingFront autoScalingFront() {
        return autoScalingFront;
    }

    /** ModifyVolume as the rehearsal's EC2 answered it. */
    VolumeModifications volumeModifications() {
        return volumeModifications;
    }

    NodeFleet fleet() {
        return fleet;
    }

    SsmEmulator ssm() {
        return ssm;
    }

    StepFunctionsFront stepFunctions() {
        return stepFunctions;
    }

    LambdaService lambda() {
        return lambda;
    }

    EventBus events() {
        return events;
    }

    CustomResources customResources() {
        return customResources;
    }

    /** The file base name ({@code drbd-up}) of a deployed document name. */
    String documentFile(String documentName) {
        return documents.baseName(documentName);
    }

    /** The driver's own threads: stopped before anything the account started. */
    void closeFirst(AutoCloseable closeable) {
        closeFirst.add(closeable);
    }

    /** The JVM stops before the run ended (Ctrl-C): stop everything, remove the sandbox unless kept. */
    private void interrupted() {
        if (closed) {
            return;
        }
        progress.note("interrupted: stopping every process of the rehearsal");
        close();
        if (!options.keepSandbox()) {
            deleteSandbox();
        }
    }

    /** Stops everything the account started (idempotent). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeFirst.forEach(EmulatedAccount::closeQuietly);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        processes.close();
        reversed.forEach(EmulatedAccount::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // best effort: keep stopping the rest
        }
    }

    /** Deletes the sandbox (after a successful run without --keep-sandbox). */
    void deleteSandbox() {
        try (var paths = Files.walk(sandbox)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // leave what could not be removed
        }
    }
}
