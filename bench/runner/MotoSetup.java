import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Benchmark setup in moto: the registry table (partition key pk) and a 3-instance Auto Scaling
 * group over 3 zones (from a launch template), for the cold-path runs.
 * Usage: java -cp NAIVE_JAR:DIR MotoSetup ENDPOINT TABLE GROUP
 */
public final class MotoSetup {

    private MotoSetup() {
    }

    public static void main(String[] args) {
        URI endpoint = URI.create(args[0]);
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("testing", "testing"));
        Region region = Region.US_EAST_1;
        try (DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).build();
            Ec2Client ec2 = Ec2Client.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).build();
            AutoScalingClient autoScaling = AutoScalingClient.builder().endpointOverride(endpoint).region(region)
                .credentialsProvider(credentials).build()) {
            dynamoDb.createTable(b -> b.tableName(args[1]).billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                    .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
            String ami = ec2.describeImages(b -> { }).images().get(0).imageId();
            ec2.createLaunchTemplate(b -> b.launchTemplateName(args[2] + "-lt")
                .launchTemplateData(d -> d.imageId(ami).instanceType("t3.micro")));
            autoScaling.createAutoScalingGroup(b -> b.autoScalingGroupName(args[2])
                .launchTemplate(t -> t.launchTemplateName(args[2] + "-lt"))
                .minSize(3).maxSize(3).desiredCapacity(3)
                .availabilityZones("us-east-1a", "us-east-1b", "us-east-1c"));
            System.out.println("moto setup: table " + args[1] + ", group " + args[2] + " with "
                + autoScaling.describeAutoScalingGroups(b -> b.autoScalingGroupNames(args[2]))
                    .autoScalingGroups().get(0).instances().size() + " instances");
        }
    }
}
