package dev.drbdmultiaz.test.workflow;

import dev.drbdmultiaz.infra.workflow.ReconcileWorkflow;
import dev.drbdmultiaz.infra.workflow.ReconcileWorkflowProps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.autoscaling.AutoScalingGroup;
import software.amazon.awscdk.services.ec2.InstanceClass;
import software.amazon.awscdk.services.ec2.InstanceSize;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.LaunchTemplate;
import software.amazon.awscdk.services.ec2.MachineImage;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;

/** A test stack with a minimal VPC, an Auto Scaling group and a node role, plus the workflow. */
final class WorkflowFixture {

    static final String STACK_ID = "WorkflowTestStack";
    static final String WORKFLOW_ID = "Workflow";
    static final String CLUSTER_ID = "test-cluster";
    static final String LAUNCH_HOOK = "drbd-launch";
    static final String TERMINATE_HOOK = "drbd-terminate";
    static final String CONFIG_HASH = "sha256-0123456789abcdef";
    static final long LIFECYCLE_HOOK_TIMEOUT_SECONDS = 2700;

    private static Path placeholderJar;

    private WorkflowFixture() {
    }

    /** The synthesized pieces a test looks at. */
    record Synth(App app, Stack stack, AutoScalingGroup group, Role nodeRole, ReconcileWorkflow workflow) {

        /** The state machine's deterministic physical name. */
        String stateMachineName() {
            return ((software.amazon.awscdk.services.stepfunctions.CfnStateMachine) workflow.getStateMachine()
                    .getNode().getDefaultChild()).getStateMachineName();
        }
    }

    /** The repository root: the directory holding state-machines/ (the test module runs in test/). */
    static Path projectRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("state-machines")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("No project root (with state-machines/) above " + Path.of("").toAbsolutePath());
    }

    static Path definitionFile() {
        return projectRoot().resolve("state-machines/reconcile.asl.json");
    }

    /** The real functions jar when the build made it, else a tiny placeholder (the template only hashes it). */
    static synchronized Path functionsJar() {
        Path built = projectRoot().resolve("functions/target/functions.jar");
        if (Files.isRegularFile(built)) {
            return built;
        }
        if (placeholderJar == null) {
            try {
                Path dir = Files.createTempDirectory("workflow-test-jar");
                placeholderJar = dir.resolve("functions.jar");
                try (var jar = new JarOutputStream(Files.newOutputStream(placeholderJar))) {
                    jar.putNextEntry(new ZipEntry("placeholder.txt"));
                    jar.write("placeholder for functions.jar in workflow tests".getBytes(StandardCharsets.UTF_8));
                    jar.closeEntry();
                }
                placeholderJar.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return placeholderJar;
    }

    /** Literal document names for the eight required documents. */
    static Map<String, String> documentNames() {
        Map<String, String> names = new TreeMap<>();
        ReconcileWorkflowProps.REQUIRED_DOCUMENTS.forEach(file -> names.put(file, "Test-" + file));
        return names;
    }

    /** Props that pass validation, on the given group and role. */
    static ReconcileWorkflowProps.Builder props(
            software.amazon.awscdk.services.autoscaling.IAutoScalingGroup group,
            software.amazon.awscdk.services.iam.IRole role) {
        return ReconcileWorkflowProps.builder()
                .group(group)
                .launchHookName(LAUNCH_HOOK)
                .terminateHookName(TERMINATE_HOOK)
                .nodeRole(role)
                .documentNames(documentNames())
                .clusterId(CLUSTER_ID)
                .nodeCount(3)
                .functionsJar(functionsJar())
                .definitionFile(definitionFile())
                .lifecycleHookTimeout(Duration.seconds(LIFECYCLE_HOOK_TIMEOUT_SECONDS))
                .configHash(CONFIG_HASH);
    }

    /** A fresh app and stack with the workflow; readjustSchedule null means no schedule rule. */
    static Synth create(Duration readjustSchedule) {
        App app = new App();
        Stack stack = new Stack(app, STACK_ID);
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(3).natGateways(1).build();
        Role nodeRole = Role.Builder.create(stack, "NodeRole")
                .assumedBy(new ServicePrincipal("ec2.amazonaws.com"))
                .build();
        LaunchTemplate template = LaunchTemplate.Builder.create(stack, "NodeTemplate")
                .instanceType(InstanceType.of(InstanceClass.T3, InstanceSize.SMALL))
                .machineImage(MachineImage.latestAmazonLinux2023())
                .role(nodeRole)
                .requireImdsv2(true)
                .build();
        AutoScalingGroup group = AutoScalingGroup.Builder.create(stack, "Group")
                .vpc(vpc)
                .launchTemplate(template)
                .minCapacity(3)
                .maxCapacity(3)
                .build();
        ReconcileWorkflow workflow = new ReconcileWorkflow(stack, WORKFLOW_ID,
                props(group, nodeRole).readjustSchedule(readjustSchedule).build());
        return new Synth(app, stack, group, nodeRole, workflow);
    }
}
