package dev.drbdmultiaz.rehearsal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.drbdmultiaz.infra.nodework.NodeDocuments;
import dev.drbdmultiaz.model.NodeDocument;
import dev.drbdmultiaz.rehearsal.asl.AslRunner;
import dev.drbdmultiaz.rehearsal.aws.AutoScalingFront;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.CustomResources;
import dev.drbdmultiaz.rehearsal.aws.EventBus;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.LifecycleModel;
import dev.drbdmultiaz.rehearsal.aws.MotoServer;
import dev.drbdmultiaz.rehearsal.aws.SerializingFront;
import dev.drbdmultiaz.rehearsal.aws.StepFunctionsFront;
import dev.drbdmultiaz.rehearsal.lambda.FunctionSpec;
import dev.drbdmultiaz.rehearsal.lambda.LambdaService;
import dev.drbdmultiaz.rehearsal.nodes.CommandRecord;
import dev.drbdmultiaz.rehearsal.nodes.NodeFaults;
import dev.drbdmultiaz.rehearsal.nodes.NodeFleet;
import dev.drbdmultiaz.rehearsal.nodes.NodeSnapshot;
import dev.drbdmultiaz.rehearsal.nodes.SimulatedNode;
import dev.drbdmultiaz.rehearsal.nodes.SsmEmulator;
import dev.drbdmultiaz.rehearsal.stack.DeployedStack;
import dev.drbdmultiaz.rehearsal.stack.SynthesizedStack;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * One rehearsal: the stack as {@code cdk synth} writes it, deployed into an emulated account.
 * moto holds DynamoDB, EC2 and Auto Scaling behind the {@link AutoScalingFront} and a
 * {@link SerializingFront}; the {@link StepFunctionsFront} runs the deployed state machines with
 * aws-local-stepfunctions; the {@link SsmEmulator} runs the deployed documents on a
 * {@link NodeFleet}; the {@link LambdaService} runs every function of the template in its own
 * runtime; the {@link EventBus} delivers events through the template's rules. Every request a
 * function makes is signed with credentials the {@link CredentialAuthority} gave its role.
 * Closing the run stops every process it started; so does the JVM's shutdown (Ctrl-C).
 */
public final class RehearsalRun implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATUS_DOCUMENT = NodeDocument.STATUS.baseName();
    /** Seed of the generated physical names: the same names in every run. */
    private static final long NAME_SEED = 20261201L;

    private final RehearsalOptions options;
    private final Progress progress;
    private final Path sandbox;
    private final Instant started = Instant.now();
    private final ChildProcesses processes = new ChildProcesses();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::interrupted, "rehearsal-shutdown");
    private final List<PhaseMark> phases = new ArrayList<>();
    private final Set<String> knownInstances = new java.util.LinkedHashSet<>();
    private final Set<String> leftGroup = new HashSet<>();
    private final java.util.concurrent.ExecutorService deliveries = java.util.concurrent.Executors.newCachedThreadPool();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile java.util.function.BiPredicate<String, String> lifecycleEventLost = (id, transition) -> false;
    private final java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    private boolean capacityAvailable = true;
    private IntFunction<NodeFaults> faultsByLaunch = index -> NodeFaults.none();
    private final Map<String, String> notes = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> asyncFailures = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> roles = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> documentFiles = new TreeMap<>();
    private final CredentialAuthority authority = new CredentialAuthority();
    private DeployedStack stack;
    private StackView view;
    private SdkHttpClient http;
    private DynamoDbClient dynamoDb;
    private Ec2Client ec2;
    private AutoScalingClient autoScaling;
    private String launchTemplateId;
    private LifecycleModel lifecycle;
    private NodeFleet fleet;
    private SsmEmulator ssm;
    private StepFunctionsFront stepFunctions;
    private LambdaService lambda;
    private EventBus events;
    private CustomResources customResources;
    private final List<java.util.concurrent.ScheduledFuture<?>> schedules = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<CustomResources.Outcome> deploys = Collections.synchronizedList(new ArrayList<>());
    private String deployPhysicalId;
    private JsonNode deployProperties;
    private volatile boolean closed;

    private RehearsalRun(RehearsalOptions options, Progress progress) {
        this.options = options;
        this.progress = progress;
        try {
            this.sandbox = options.sandbox() != null ? Files.createDirectories(options.sandbox())
                : Files.createTempDirectory("drbd-rehearsal-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the rehearsal sandbox", e);
        }
    }

    /** Starts the emulated account, the nodes' side and the Lambda service. */
    public static RehearsalRun start(RehearsalOptions options, Progress progress) {
        RehearsalRun run = new RehearsalRun(options, progress);
        Runtime.getRuntime().addShutdownHook(run.shutdownHook);
        try {
            run.startAll();
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
        return run;
    }

    private void startAll() {
        Path root = options.projectRoot();
        progress.note("sandbox " + sandbox);
        SynthesizedStack synthesized = SynthesizedStack.of(root, options.functionsJar(),
            Map.of("drbd:nodeCount", options.nodes()));
        stack = new DeployedStack(synthesized, synthesized.settings().region(), NAME_SEED);
        view = new StackView(stack);
        progress.note("synthesized " + SynthesizedStack.STACK_NAME + " in " + synthesized.outdir() + ": group "
            + view.groupName() + ", state machine " + view.reconcileStateMachineArn());

        MotoServer moto = MotoServer.start(processes, sandbox);
        http = UrlConnectionHttpClient.builder().build();
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
        String imageId = ec2.registerImage(b -> b.name("drbd-rehearsal-ubuntu").architecture("x86_64")
            .rootDeviceName("/dev/sda1")).imageId();
        launchTemplateId = ec2.createLaunchTemplate(b -> b.launchTemplateName("drbd-rehearsal-replicas")
                .launchTemplateData(d -> d.imageId(imageId).instanceType(synthesized.settings().instanceType())))
            .launchTemplate().launchTemplateId();
        progress.note("moto_server " + moto.endpoint() + ": registry table " + view.tableName()
            + ", launch template " + launchTemplateId);

        lifecycle = new LifecycleModel(view.groupName(), hook("autoscaling:EC2_INSTANCE_LAUNCHING"),
            hook("autoscaling:EC2_INSTANCE_TERMINATING"), synthesized.settings().availabilityZones(),
            options.time());
        closeables.add(lifecycle);
        lifecycle.onWait(this::enteredWait);
        lifecycle.onCompletion(this::afterLifecycleAction);
        AutoScalingFront autoScalingFront = AutoScalingFront.start(moto.endpoint(), lifecycle, authority);
        closeables.add(autoScalingFront);
        SerializingFront dynamoDbFront = SerializingFront.start(moto.endpoint(), authority);
        closeables.add(dynamoDbFront);

        fleet = new NodeFleet(sandbox.resolve("fleet"), root, options.time().scale());
        closeables.add(fleet);
        ssm = new SsmEmulator(fleet, deployDocuments(root.resolve("ssm-documents")), authority);
        ssm.setLogGroups(new java.util.TreeSet<>(stack.logicalIds("AWS::Logs::LogGroup").stream().map(stack::ref)
            .toList()));
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
        lambda = new LambdaService(processes, FunctionSpec.of(stack), routing,
            options.time(), authority, root, sandbox, List.of(),
            Map.of(CustomResources.responseHost(stack.region()), CustomResources.route(responseBucket)));
        closeables.add(lambda);
        customResources = new CustomResources(lambda, stack.region(),
            stack.arn("cloudformation", "stack/" + stack.stackName() + "/" + new UUID(NAME_SEED, NAME_SEED)),
            options.time(), responseBucket);
        closeables.add(customResources);
        events = new EventBus(stack, (target, event) -> lambda.invoke(target, event));

        Path executions = createDirectories(sandbox.resolve("executions"));
        stepFunctions.register(view.reconcileStateMachineArn(), new AslRunner(root,
            view.reconcileDefinition(), view.reconcileSubstitutions(), lambda.endpoint(),
            () -> roleEnvironment("states.amazonaws.com"), Map.of("WaitForCommand", commandPollMillis()),
            options.time(), view.pollSeconds(), Map.of(), executions, processes));
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
                        options.time().scaled(Duration.ofSeconds(retry.path("IntervalSeconds").asLong())).toMillis());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stepFunctions.register(view.waiterStateMachineArn(), new AslRunner(root, file, Map.of(), lambda.endpoint(),
            () -> roleEnvironment("states.amazonaws.com"), Map.of(), options.time(), 0, retryIntervals, executions,
            processes));
    }

    private LifecycleModel.Hook hook(String transition) {
        JsonNode hook = view.hook(transition);
        return new LifecycleModel.Hook(hook.path("LifecycleHookName").asText(),
            Duration.ofSeconds(hook.path("HeartbeatTimeout").asLong(3600)), hook.path("DefaultResult").asText("ABANDON"));
    }

    /** AWS_REGION and temporary credentials of a service role, as a process environment. */
    private Map<String, String> roleEnvironment(String principal) {
        CredentialAuthority.Issued issued = authority.issue(principal);
        return Map.of("AWS_REGION", stack.region(), "AWS_ACCESS_KEY_ID", issued.accessKeyId(),
            "AWS_SECRET_ACCESS_KEY", issued.secretAccessKey(), "AWS_SESSION_TOKEN", issued.sessionToken());
    }

    /**
     * The template's SSM documents, each under its generated name: the deployed content (JSON,
     * which is YAML too, prelude spliced in) written to the sandbox as {@code <file base name>.yaml},
     * matched to its source file in {@code ssm-documents/} by the content NodeDocuments deploys for it.
     */
    private Map<String, Path> deployDocuments(Path sources) {
        Map<JsonNode, String> baseNames = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                baseNames.put(JSON.valueToTree(NodeDocuments.content(file)),
                    file.getFileName().toString().replaceFirst("\\.yaml$", ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the documents in " + sources, e);
        }
        Path dir = createDirectories(sandbox.resolve("documents"));
        Map<String, Path> deployed = new TreeMap<>();
        for (String id : stack.logicalIds("AWS::SSM::Document")) {
            JsonNode content = stack.property(id, "Content");
            String base = baseNames.get(content);
            if (base == null) {
                throw new IllegalStateException("Document " + id + " of the template matches no file in " + sources);
            }
            Path file = dir.resolve(base + ".yaml");
            try {
                Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(content));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            deployed.put(stack.ref(id), file);
            documentFiles.put(stack.ref(id), base);
        }
        return deployed;
    }

    private static final String DEPLOY_RESOURCE_TYPE = "Custom::DrbdReconcile";

    /** WaitForCommand's poll: 5 s in AWS, times the time scale (at least 100 ms). */
    long commandPollMillis() {
        return Math.max(100, options.time().scaled(Duration.ofSeconds(5)).toMillis());
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

    /** The deployed stack's names the driver and the checks need. */
    public StackView stack() {
        return view;
    }

    public RehearsalOptions options() {
        return options;
    }

    public NodeFleet fleet() {
        return fleet;
    }

    public SsmEmulator ssm() {
        return ssm;
    }

    public LifecycleModel lifecycle() {
        return lifecycle;
    }

    public StepFunctionsFront stepFunctions() {
        return stepFunctions;
    }

    public LambdaService lambda() {
        return lambda;
    }

    public Progress progress() {
        return progress;
    }

    public Path sandbox() {
        return sandbox;
    }

    /** The file base name ({@code drbd-up}) of a deployed document name. */
    public String documentFile(String documentName) {
        return documentFiles.getOrDefault(documentName, documentName);
    }

    /**
     * CloudFormation creates the deploy trigger (Custom::DrbdReconcile) as {@code cdk deploy} does
     * once the group exists and the functions' SnapStart versions are published (the trigger
     * depends on their aliases): sends Create to its ServiceToken and waits for the response (at
     * most its ServiceTimeout, compressed).
     */
    public CustomResources.Outcome createDeployResource() {
        lambda.publishSnapStartVersions();
        lambda.awaitVersionsPublished(Duration.ofMinutes(3));
        JsonNode properties = view.deployResourceProperties();
        CustomResources.Outcome outcome = customResources.create(view.deployResourceLogicalId(),
            DEPLOY_RESOURCE_TYPE, properties);
        recordDeploy(outcome, properties);
        return outcome;
    }

    /** A deploy that changed a setting: CloudFormation updates the trigger with a new ConfigHash. */
    public CustomResources.Outcome updateDeployResource(String configHash) {
        JsonNode old = requireDeployed();
        ObjectNode properties = old.deepCopy();
        properties.put("ConfigHash", configHash);
        CustomResources.Outcome outcome = customResources.update(view.deployResourceLogicalId(), DEPLOY_RESOURCE_TYPE,
            properties, old, deployPhysicalId);
        recordDeploy(outcome, outcome.succeeded() ? properties : old);
        return outcome;
    }

    /** {@code cdk destroy}: CloudFormation deletes the trigger. */
    public CustomResources.Outcome deleteDeployResource() {
        CustomResources.Outcome outcome = customResources.delete(view.deployResourceLogicalId(), DEPLOY_RESOURCE_TYPE,
            requireDeployed(), deployPhysicalId);
        recordDeploy(outcome, null);
        deployProperties = null;
        return outcome;
    }

    /** What CloudFormation sent to the deploy trigger so far, with what it sent after each (rollback, cleanup). */
    private List<RehearsalReport.Deploy> deployReports() {
        List<RehearsalReport.Deploy> reports = new ArrayList<>();
        synchronized (deploys) {
            for (CustomResources.Outcome outcome : deploys) {
                for (CustomResources.Outcome o = outcome; o != null; o = o.followUp()) {
                    String type = o == outcome ? o.requestType()
                        : o.requestType() + (outcome.succeeded() ? " (cleanup)" : " (rollback)");
                    reports.add(new RehearsalReport.Deploy(type, o.status(), o.reason(), o.took().toMillis() / 1000.0));
                }
            }
        }
        return reports;
    }

    private JsonNode requireDeployed() {
        if (deployProperties == null) {
            throw new IllegalStateException("The deploy trigger was not created (createDeployResource first)");
        }
        return deployProperties;
    }

    private void recordDeploy(CustomResources.Outcome outcome, JsonNode properties) {
        deploys.add(outcome);
        for (CustomResources.Outcome o = outcome; o != null; o = o.followUp()) {
            progress.note("CloudFormation: " + o.requestType() + (o == outcome ? "" : " (after it)") + " " + o.status()
                + " in " + o.took().toMillis() + " ms" + (o.succeeded() ? "" : ": " + o.reason()));
        }
        if (outcome.succeeded()) {
            deployPhysicalId = outcome.physicalResourceId();
            deployProperties = properties;
        }
    }

    /** The reconcile executions (not the Provider framework's waiter), in start order. */
    public List<Execution> reconcileExecutions() {
        return stepFunctions.executions(view.reconcileStateMachineArn());
    }

    /** Starts a named phase; the report counts each phase on its own. */
    public void phase(String name) {
        synchronized (phases) {
            phases.add(new PhaseMark(name, reconcileExecutions().size(), ssm.commands().size(),
                lifecycle.completions().size(), lifecycle.heartbeats()));
        }
        progress.note("phase " + name);
    }

    /**
     * Creates the Auto Scaling group with {@code nodes} instances (its hooks exist from the start,
     * as LifecycleHookSpecificationList makes them) and adds their nodes to the fleet.
     *
     * @param faults the faults of the node of each launch, counted from 0 over the group's life
     *     (replacements included); {@code null} for none
     * @return the new instance ids, in launch order
     */
    public List<String> createGroup(int nodes, IntFunction<NodeFaults> faults) {
        this.faultsByLaunch = faults == null ? index -> NodeFaults.none() : faults;
        autoScaling.createAutoScalingGroup(b -> b.autoScalingGroupName(view.groupName())
            .launchTemplate(t -> t.launchTemplateId(launchTemplateId))
            .minSize(nodes).maxSize(nodes + 1).desiredCapacity(nodes)
            .availabilityZones(lifecycle.zones()));
        return discoverInstances();
    }

    /**
     * Instances moto launched that the rehearsal has not seen yet: each enters Pending:Wait in
     * the lifecycle model and gets a node in the fleet (hostname from its private IP, as EC2's
     * ip-name hostnames are).
     */
    public synchronized List<String> discoverInstances() {
        List<String> added = new ArrayList<>();
        List<Instance> instances = autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(view.groupName()))
            .autoScalingGroups().get(0).instances();
        for (Instance instance : instances) {
            String id = instance.instanceId();
            if (!knownInstances.add(id)) {
                continue;
            }
            String ip = ec2.describeInstances(b -> b.instanceIds(id)).reservations().get(0).instances().get(0)
                .privateIpAddress();
            LifecycleModel.Instance modeled = lifecycle.launched(id, ip);
            String hostname = "ip-" + ip.replace('.', '-');
            NodeFaults nodeFaults = faultsByLaunch.apply(knownInstances.size() - 1);
            fleet.addNode(id, hostname, ip, modeled.availabilityZone(), nodeFaults);
            progress.note("instance " + id + " launched in " + modeled.availabilityZone() + " (" + hostname + ", "
                + ip + ")" + (NodeFaults.none().equals(nodeFaults) ? "" : " with faults " + nodeFaults)
                + ": Pending:Wait");
            added.add(id);
        }
        return added;
    }

    /**
     * The group terminates {@code instanceId} (as after a failed health check): it waits in
     * Terminating:Wait for its terminate action, and the group launches a replacement when it has
     * capacity (see {@link #setCapacityAvailable}).
     *
     * @return the replacement's instance id, or {@code null} when the group could not launch one
     */
    public String terminateInstance(String instanceId) {
        int before = knownInstancesInOrder().size();
        lifecycle.terminating(instanceId);
        List<String> all = knownInstancesInOrder();
        List<String> replacements = all.subList(before, all.size());
        if (replacements.size() > 1 || (capacityAvailable && replacements.isEmpty())) {
            throw new IllegalStateException("Expected one replacement of " + instanceId + ", got " + replacements);
        }
        return replacements.isEmpty() ? null : replacements.get(0);
    }

    /**
     * Whether EC2 has capacity for the group's launches (InsufficientInstanceCapacity otherwise).
     * Without it a terminated instance is not replaced; when capacity returns, the group launches
     * up to its desired capacity again.
     */
    public void setCapacityAvailable(boolean available) {
        synchronized (this) {
            capacityAvailable = available;
        }
        if (available) {
            int desired = options.nodes();
            autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(view.groupName()).desiredCapacity(desired)
                .minSize(desired));
            List<String> launched = discoverInstances();
            progress.note("capacity is back: the group launched " + launched);
        } else {
            // The group cannot launch: modelled as a replacement that never comes (desired capacity
            // drops with each termination, so moto launches nothing).
            autoScaling.updateAutoScalingGroup(b -> b.autoScalingGroupName(view.groupName()).minSize(0));
            progress.note("EC2 has no capacity for the group's launches (InsufficientInstanceCapacity)");
        }
    }

    /**
     * Runs the template's schedule rules as EventBridge does (every rate, times the time scale),
     * until the run closes.
     */
    public void startSchedule() {
        for (EventBus.Rule rule : events.schedules()) {
            long millis = options.time().scaled(rule.schedule()).toMillis();
            schedules.add(scheduler.scheduleAtFixedRate(() -> deliver(() -> {
                ObjectNode event = event("aws.events", "Scheduled Event", JSON.createObjectNode(), List.of(rule.arn()));
                events.fire(rule, event);
            }), millis, millis, TimeUnit.MILLISECONDS));
            progress.note("schedule " + rule.logicalId() + " fires every " + millis + " ms (" + rule.schedule() + " in AWS)");
        }
    }

    /** Stops the schedule rules (a scenario's last runs are then all it waits for). */
    public void stopSchedule() {
        schedules.forEach(s -> s.cancel(false));
        schedules.clear();
        progress.note("schedule stopped");
    }

    /** Reboots a node; its DRBD resource stays down (the boot units do not bring it up). */
    public void reboot(String instanceId) {
        fleet.reboot(instanceId, false);
        progress.note("instance " + instanceId + " rebooted: DRBD resource down, metadata kept");
    }

    /**
     * An instance entered Pending:Wait or Terminating:Wait: Auto Scaling sends the lifecycle
     * event to EventBridge; a terminating instance leaves the group in moto, which launches its
     * replacement (the group keeps its desired capacity).
     */
    private void enteredWait(LifecycleModel.Instance instance, String transition) {
        if ("terminate".equals(transition)) {
            progress.note("instance " + instance.instanceId() + " terminating: Terminating:Wait");
            try {
                synchronized (this) {
                    if (leftGroup.add(instance.instanceId())) {
                        boolean replace = capacityAvailable;
                        autoScaling.terminateInstanceInAutoScalingGroup(b -> b.instanceId(instance.instanceId())
                            .shouldDecrementDesiredCapacity(!replace));
                        discoverInstances();
                    }
                }
            } catch (RuntimeException e) {
                asyncFailures.add("Replacing " + instance.instanceId() + " failed: " + e.getMessage());
            }
        }
        if (lifecycleEventLost.test(instance.instanceId(), transition)) {
            progress.note("the " + transition + " lifecycle event of " + instance.instanceId()
                + " was lost (EventBridge delivers Auto Scaling events on a best-effort basis)");
            return;
        }
        deliver(() -> publishLifecycleEvent(transition, instance.instanceId()));
    }

    private void afterLifecycleAction(LifecycleModel.Completion completion) {
        progress.lifecycle(completion);
        if (!"terminate".equals(completion.transition())) {
            return;
        }
        try {
            if (fleet.isOnline(completion.instanceId())) {
                fleet.terminate(completion.instanceId());
            }
            progress.note("instance " + completion.instanceId() + " terminated");
        } catch (RuntimeException e) {
            asyncFailures.add("Terminating " + completion.instanceId() + " failed: " + e.getMessage());
        }
    }

    /** Which lifecycle events EventBridge does not deliver (instance id, {@code launch|terminate}); default none. */
    public void loseLifecycleEvents(java.util.function.BiPredicate<String, String> lost) {
        this.lifecycleEventLost = lost;
    }

    /** Runs an event delivery on its own thread, as EventBridge delivers asynchronously. */
    private void deliver(Runnable delivery) {
        inFlight.incrementAndGet();
        deliveries.execute(() -> {
            try {
                delivery.run();
            } catch (RuntimeException e) {
                asyncFailures.add("Event delivery failed: " + e.getMessage());
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private synchronized List<String> knownInstancesInOrder() {
        return List.copyOf(knownInstances);
    }

    /** An EventBridge lifecycle event of the group (Auto Scaling's own shape), put on the bus. */
    public Execution publishLifecycleEvent(String transition, String instanceId) {
        boolean launch = "launch".equals(transition);
        ObjectNode detail = JSON.createObjectNode();
        detail.put("LifecycleActionToken", UUID.randomUUID().toString());
        detail.put("AutoScalingGroupName", view.groupName());
        detail.put("LifecycleHookName", launch ? view.launchHookName() : view.terminateHookName());
        detail.put("EC2InstanceId", instanceId);
        detail.put("LifecycleTransition", launch ? "autoscaling:EC2_INSTANCE_LAUNCHING"
            : "autoscaling:EC2_INSTANCE_TERMINATING");
        if (launch) {
            detail.put("Origin", "EC2");
            detail.put("Destination", "AutoScalingGroup");
        } else {
            detail.put("Origin", "AutoScalingGroup");
            detail.put("Destination", "EC2");
        }
        return trigger(event("aws.autoscaling", launch ? "EC2 Instance-launch Lifecycle Action"
            : "EC2 Instance-terminate Lifecycle Action", detail, List.of(stack.arn("autoscaling",
                "autoScalingGroup:" + UUID.nameUUIDFromBytes(view.groupName().getBytes()) + ":autoScalingGroupName/"
                    + view.groupName()))));
    }

    /** The custom re-adjust event ({@code drbd-multiaz} / {@code Reconcile Requested}) of this cluster. */
    public Execution publishReadjust() {
        ObjectNode detail = JSON.createObjectNode();
        detail.put("clusterId", view.clusterId());
        return trigger(event("drbd-multiaz", "Reconcile Requested", detail, List.of()));
    }

    private ObjectNode event(String source, String detailType, ObjectNode detail, List<String> resources) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", detailType);
        event.put("source", source);
        event.put("account", DeployedStack.ACCOUNT);
        event.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        event.put("region", stack.region());
        resources.forEach(event.putArray("resources")::add);
        event.set("detail", detail);
        return event;
    }

    /** Puts the event on the bus; exactly one rule must deliver it, and its trigger must start an execution. */
    private Execution trigger(ObjectNode event) {
        List<JsonNode> results = events.publish(event);
        if (results.size() != 1) {
            throw new IllegalStateException(results.size() + " rules delivered the " + event.path("detail-type").asText()
                + " event, expected exactly one: check the rules' event patterns");
        }
        JsonNode result = results.get(0);
        if (!result.path("started").asBoolean()) {
            throw new IllegalStateException("TriggerReconcile started nothing for " + event.path("detail-type").asText()
                + ": " + result.path("reason").asText());
        }
        return stepFunctions.describe(result.path("executionArn").asText());
    }

    /** Waits until no event is being delivered and no execution runs any more. */
    public void awaitExecutions(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        int quiet = 0;
        while (quiet < 3) {
            List<Execution> running = stepFunctions.running();
            if (running.isEmpty()) {
                quiet = inFlight.get() == 0 ? quiet + 1 : 0;
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Events still being delivered after " + timeout.toSeconds() + " s");
                }
                dev.drbdmultiaz.rehearsal.support.Net.sleep(50);
                continue;
            }
            quiet = 0;
            try {
                running.get(0).done().get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()),
                    TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Executions still running after " + timeout.toSeconds() + " s: "
                    + stepFunctions.running().stream().map(Execution::name).toList());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for executions", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
        if (!asyncFailures.isEmpty()) {
            throw new IllegalStateException(String.join("; ", asyncFailures));
        }
    }

    /** Waits until {@code execution} holds the cluster lock. */
    public void awaitLockHeldBy(Execution execution, Duration timeout) {
        dev.drbdmultiaz.rehearsal.support.Net.await(timeout, execution.name() + " never took the cluster lock",
            () -> execution.arn().equals(lockHolder()));
    }

    /** Every node's state now, by instance id (terminated nodes included). */
    public Map<String, NodeSnapshot> snapshots() {
        Map<String, NodeSnapshot> snapshots = new LinkedHashMap<>();
        for (SimulatedNode node : fleet.nodes()) {
            snapshots.put(node.instanceId(), fleet.snapshot(node.instanceId()));
        }
        return snapshots;
    }

    /** The report of the run so far. */
    public RehearsalReport report(String scenario, String result, String expectation, String failure,
        boolean keepSandbox) {
        List<Execution> executions = reconcileExecutions();
        List<CommandRecord> commands = ssm.commands();
        List<LifecycleModel.Completion> completions = lifecycle.completions();
        List<RehearsalReport.ExecutionReport> executionReports = executions.stream().map(this::executionReport).toList();
        List<RehearsalReport.Phase> phaseReports = new ArrayList<>();
        List<PhaseMark> marks;
        synchronized (phases) {
            marks = List.copyOf(phases);
        }
        for (int i = 0; i < marks.size(); i++) {
            PhaseMark mark = marks.get(i);
            PhaseMark next = i + 1 < marks.size() ? marks.get(i + 1) : null;
            List<Execution> inPhase = executions.subList(mark.executions(), next == null ? executions.size() : next.executions());
            List<CommandRecord> phaseCommands = commands.subList(mark.commands(), next == null ? commands.size() : next.commands());
            List<LifecycleModel.Completion> phaseCompletions = completions.subList(mark.completions(),
                next == null ? completions.size() : next.completions());
            int heartbeats = (next == null ? lifecycle.heartbeats() : next.heartbeats()) - mark.heartbeats();
            phaseReports.add(new RehearsalReport.Phase(mark.name(), inPhase.stream().map(Execution::name).toList(),
                inPhase.stream().mapToInt(Execution::stateTransitions).sum(), phaseCommands.size(),
                invocations(phaseCommands, false), invocations(phaseCommands, true),
                lifecycleReport(phaseCompletions, heartbeats, List.of()), nodeSideSeconds(phaseCommands),
                overheadSeconds(inPhase, phaseCommands)));
        }
        Instant end = executions.stream().map(Execution::stopDate).filter(java.util.Objects::nonNull)
            .max(Instant::compareTo).orElse(Instant.now());
        return new RehearsalReport(scenario, options.nodes(), result, expectation, failure, executionReports,
            executions.stream().mapToInt(Execution::stateTransitions).sum(), invocations(commands, false),
            invocations(commands, true), commands.size(),
            lifecycleReport(completions, lifecycle.heartbeats(),
                lifecycle.pendingActions().stream().map(LifecycleModel.Instance::instanceId).toList()),
            lockHolder(), phaseReports, clusterTable(), deployReports(), Duration.between(started, end).toMillis() / 1000.0,
            nodeSideSeconds(commands), overheadSeconds(executions, commands), keepSandbox ? sandbox.toString() : null);
    }

    /**
     * Node-side time of {@code commands}: per command, the longest script run time among its
     * targets (what the workflow must wait for at least), summed.
     */
    private static double nodeSideSeconds(List<CommandRecord> commands) {
        long millis = commands.stream()
            .mapToLong(c -> c.results().values().stream().mapToLong(r -> r.duration().toMillis()).max().orElse(0))
            .sum();
        return millis / 1000.0;
    }

    /**
     * Orchestration overhead: the wall times of the SUCCEEDED {@code executions}, summed, minus the
     * node-side time of {@code commands} (see {@link RehearsalReport}).
     */
    private static double overheadSeconds(List<Execution> executions, List<CommandRecord> commands) {
        long wallMillis = executions.stream().filter(e -> "SUCCEEDED".equals(e.status()))
            .mapToLong(e -> e.duration().toMillis()).sum();
        return (wallMillis - Math.round(nodeSideSeconds(commands) * 1000)) / 1000.0;
    }

    private static int invocations(List<CommandRecord> commands, boolean mutatingOnly) {
        return commands.stream().filter(c -> !mutatingOnly || c.mutating()).mapToInt(c -> c.targets().size()).sum();
    }

    private static RehearsalReport.Lifecycle lifecycleReport(List<LifecycleModel.Completion> completions,
        int heartbeats, List<String> pending) {
        return new RehearsalReport.Lifecycle(
            (int) completions.stream().filter(c -> LifecycleModel.CONTINUE.equals(c.result())).count(),
            (int) completions.stream().filter(c -> LifecycleModel.ABANDON.equals(c.result())).count(),
            heartbeats, pending,
            completions.stream().map(c -> new RehearsalReport.Action(c.instanceId(), c.transition(), c.result())).toList());
    }

    private RehearsalReport.ExecutionReport executionReport(Execution execution) {
        int rounds = 0;
        int invocations = 0;
        int mutating = 0;
        int describes = 0;
        boolean acquired = false;
        for (JsonNode event : execution.events()) {
            if (!"StateExited".equals(event.path("type").asText())) {
                continue;
            }
            JsonNode output = event.path("output");
            switch (event.path("state").asText()) {
                case "AcquireClusterLock" -> acquired = output.path("lock").path("acquired").asBoolean();
                case "DescribeCluster" -> describes++;
                case "SendNodeCommand" -> {
                    JsonNode command = output.path("command");
                    Set<String> ids = new HashSet<>();
                    int targets = 0;
                    for (Iterator<JsonNode> it = command.path("commandIds").elements(); it.hasNext(); targets++) {
                        ids.add(it.next().asText());
                    }
                    rounds += ids.size();
                    invocations += targets;
                    if (!STATUS_DOCUMENT.equals(documentFile(command.path("documentName").asText()))) {
                        mutating += targets;
                    }
                }
                default -> { }
            }
        }
        return new RehearsalReport.ExecutionReport(execution.name(), execution.status(), execution.error(),
            execution.cause(), acquired, execution.stateTransitions(), rounds, invocations, mutating, describes,
            Duration.between(started, execution.startDate()).toMillis() / 1000.0,
            execution.duration().toMillis() / 1000.0);
    }

    /**
     * The final cluster table: from the last successful execution's report (what an operator
     * reads), for every node the fleet still runs; a node the report does not list (a failed run)
     * shows what the node itself holds.
     */
    List<RehearsalReport.ClusterRow> clusterTable() {
        Map<String, JsonNode> reported = new LinkedHashMap<>();
        List<Execution> executions = new ArrayList<>(reconcileExecutions());
        Collections.reverse(executions);
        for (Execution execution : executions) {
            if (Execution.SUCCEEDED.equals(execution.status()) && execution.output() != null) {
                try {
                    JsonNode report = JSON.readTree(execution.output());
                    if (report.has("nodes")) {
                        report.path("nodes").forEach(n -> reported.put(n.path("instanceId").asText(), n));
                        break;
                    }
                } catch (IOException ignored) {
                    // not a report: keep looking
                }
            }
        }
        List<RehearsalReport.ClusterRow> rows = new ArrayList<>();
        for (SimulatedNode node : fleet.nodes()) {
            if (!fleet.isOnline(node.instanceId())) {
                continue;
            }
            NodeSnapshot snapshot = fleet.snapshot(node.instanceId());
            JsonNode row = reported.get(node.instanceId());
            List<String> peers = new ArrayList<>();
            snapshot.peers().forEach(p -> peers.add(p.name() + ":" + p.connection() + "/" + p.peerDisk()
                + (p.syncPercent() < 100 ? String.format(java.util.Locale.ROOT, " %.0f%%", p.syncPercent()) : "")));
            rows.add(new RehearsalReport.ClusterRow(node.instanceId(), node.hostname(),
                lifecycle.find(node.instanceId()).map(LifecycleModel.Instance::availabilityZone).orElse(node.availabilityZone()),
                row == null ? null : row.path("nodeId").asInt(), snapshot.role(), snapshot.disk(), peers));
        }
        return rows;
    }

    /** Records an observation a scenario makes during its run, for its checks (and the progress log). */
    public void note(String key, String value) {
        notes.put(key, value);
        progress.note(key + ": " + value);
    }

    /** The scenario's observations. */
    public Map<String, String> notes() {
        synchronized (notes) {
            return Map.copyOf(notes);
        }
    }

    /** Names an instance for the scenario's checks and the result (e.g. "replaced", "faulty"). */
    public void role(String role, String instanceId) {
        roles.put(role, instanceId);
    }

    /** The instances the scenario named, by role. */
    public Map<String, String> roles() {
        synchronized (roles) {
            return Map.copyOf(roles);
        }
    }

    /** The execution ARN holding the cluster lock in the registry, or {@code null} when it is free. */
    public String lockHolder() {
        var item = dynamoDb.getItem(b -> b.tableName(view.tableName()).consistentRead(true)
            .key(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("lock")))).item();
        var holder = item == null ? null : item.get("holder");
        return holder == null ? null : holder.s();
    }

    /**
     * Waits until every live node is UpToDate with every peer Connected (a resync runs after the
     * execution converged), or the timeout passed; returns whether it got there.
     */
    public boolean awaitInSync(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            boolean synced = fleet.nodes().stream().filter(n -> fleet.isOnline(n.instanceId()))
                .map(n -> fleet.snapshot(n.instanceId()))
                .allMatch(s -> "UpToDate".equals(s.disk()) && !s.peers().isEmpty()
                    && s.peers().stream().allMatch(p -> "Connected".equals(p.connection()) && "UpToDate".equals(p.peerDisk())));
            if (synced) {
                return true;
            }
            dev.drbdmultiaz.rehearsal.support.Net.sleep(200);
        }
        return false;
    }

    /** Any failure the scenario's background reactions (lifecycle completions) ran into. */
    public List<String> asyncFailures() {
        return List.copyOf(asyncFailures);
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Stops everything this run started (idempotent). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        deliveries.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // called from the hook itself
        }
        List<AutoCloseable> reversed = new ArrayList<>(closeables);
        Collections.reverse(reversed);
        processes.close();
        for (AutoCloseable closeable : reversed) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // best effort: keep stopping the rest
            }
        }
    }

    /** Deletes the sandbox (after a successful run without --keep-sandbox). */
    public void deleteSandbox() {
        try (var paths = Files.walk(sandbox)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // leave what could not be removed
        }
    }

    private record PhaseMark(String name, int executions, int commands, int completions, int heartbeats) {
    }
}
