package dev.drbdmultiaz.functions.common.priming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drbdmultiaz.functions.testing.MotoServer;
import dev.drbdmultiaz.functions.testing.Tables;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DocumentType;

/**
 * Each kind of priming against moto: the request reaches the service, is the read its IAM action
 * names, and leaves every resource as it was (no lock item, no command, no execution, the group
 * unchanged). The interceptor sees every operation the clients send, so a write fails the test
 * even where moto would accept it silently.
 */
@DisplayName("Priming reads on moto")
class PrimingMotoTest {

    private static MotoServer moto;
    private static final List<String> SENT = new CopyOnWriteArrayList<>();
    private static final SdkHttpClient HTTP = UrlConnectionHttpClient.create();
    private static DynamoDbClient dynamoDb;
    private static AutoScalingClient autoScaling;
    private static SsmClient ssm;
    private static SfnClient sfn;
    private static String stateMachineArn;
    private static String groupName;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.start();
        ExecutionInterceptor recorder = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                SENT.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            }
        };
        dynamoDb = moto.configure(DynamoDbClient.builder()).httpClient(HTTP)
            .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build();
        autoScaling = moto.configure(AutoScalingClient.builder()).httpClient(HTTP)
            .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build();
        ssm = moto.configure(SsmClient.builder()).httpClient(HTTP)
            .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build();
        sfn = moto.configure(SfnClient.builder()).httpClient(HTTP)
            .overrideConfiguration(c -> c.addExecutionInterceptor(recorder)).build();
        stateMachineArn = moto.sfn().createStateMachine(b -> b.name("reconcile-" + UUID.randomUUID())
            .roleArn("arn:aws:iam::123456789012:role/sfn")
            .definition("{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}")).stateMachineArn();
        Ec2Client ec2 = moto.ec2();
        String imageId = ec2.describeImages(b -> b.owners("amazon")).images().get(0).imageId();
        String template = ec2.createLaunchTemplate(b -> b.launchTemplateName("drbd-" + UUID.randomUUID())
            .launchTemplateData(d -> d.imageId(imageId).instanceType(InstanceType.T3_SMALL)))
            .launchTemplate().launchTemplateId();
        groupName = "drbd-" + UUID.randomUUID();
        moto.autoScaling().createAutoScalingGroup(b -> b.autoScalingGroupName(groupName)
            .launchTemplate(LaunchTemplateSpecification.builder().launchTemplateId(template).build())
            .minSize(3).maxSize(5).desiredCapacity(3).availabilityZones("eu-west-1a", "eu-west-1b", "eu-west-1c"));
    }

    @AfterAll
    static void stopMoto() {
        moto.close();
    }

    @BeforeEach
    void clearRecording() {
        SENT.clear();
    }

    /** Runs {@code primer} as the checkpoint does and returns the operations the clients sent. */
    private static List<String> prime(Primer primer) {
        new PrimingResource(() -> List.of(primer)).beforeCheckpoint(null);
        return List.copyOf(SENT);
    }

    private static void assertReadOnly(Primer primer, List<String> sent) {
        assertEquals(List.of(primer.action().substring(primer.action().indexOf(':') + 1)), sent,
            "one request, the read its IAM action names");
        assertTrue(sent.stream().allMatch(op -> op.matches("(Describe|Get|List)[A-Za-z]*")), "reads only: " + sent);
    }

    @Test
    @DisplayName("DescribeTable takes no lock and writes no item")
    void describeTable() {
        String table = Tables.createRegistry(moto.dynamoDb());
        Primer primer = Primer.describeTable(dynamoDb, table);
        assertReadOnly(primer, prime(primer));
        assertEquals(0, moto.dynamoDb().scan(b -> b.tableName(table)).count(), "the table holds no lock or member");
    }

    @Test
    @DisplayName("DescribeAutoScalingGroups leaves the group's capacity and instances as they were")
    void describeGroup() {
        var before = moto.autoScaling().describeAutoScalingGroups(b -> b.autoScalingGroupNames(groupName))
            .autoScalingGroups().get(0);
        Primer primer = Primer.describeGroup(autoScaling, groupName);
        assertReadOnly(primer, prime(primer));
        var after = moto.autoScaling().describeAutoScalingGroups(b -> b.autoScalingGroupNames(groupName))
            .autoScalingGroups().get(0);
        assertEquals(before.desiredCapacity(), after.desiredCapacity());
        assertEquals(before.instances(), after.instances());
    }

    @Test
    @DisplayName("the three SSM reads send no command")
    void ssmReads() {
        String document = "drbd-status-" + UUID.randomUUID();
        moto.ssm().createDocument(b -> b.name(document).documentType(DocumentType.COMMAND).content(
            "{\"schemaVersion\":\"2.2\",\"description\":\"status\",\"mainSteps\":[{\"action\":\"aws:runShellScript\","
                + "\"name\":\"status\",\"inputs\":{\"runCommand\":[\"true\"]}}]}"));
        for (Primer primer : List.of(Primer.describeAgents(ssm), Primer.getCommandInvocation(ssm),
            Primer.describeDocument(ssm, document))) {
            SENT.clear();
            assertReadOnly(primer, prime(primer));
        }
        assertEquals(0, moto.ssm().listCommands().commands().size(), "no command was sent");
    }

    @Test
    @DisplayName("the Step Functions reads start no execution")
    void sfnReads() {
        for (Primer primer : List.of(Primer.describeExecution(sfn, stateMachineArn),
            Primer.describeStateMachine(sfn, stateMachineArn))) {
            SENT.clear();
            assertReadOnly(primer, prime(primer));
        }
        assertEquals(0, moto.sfn().listExecutions(b -> b.stateMachineArn(stateMachineArn)).executions().size());
    }
}
