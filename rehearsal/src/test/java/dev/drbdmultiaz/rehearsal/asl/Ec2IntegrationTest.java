package dev.drbdmultiaz.rehearsal.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.Execution;
import dev.drbdmultiaz.rehearsal.aws.MotoServer;
import dev.drbdmultiaz.rehearsal.aws.SerializingFront;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Step Functions' AWS SDK integrations of EC2 as the rehearsal's engine runs them (developer guide,
 * "AWS SDK service integrations"): PascalCase parameters and results as the EC2 API has them, no
 * response metadata in the result, every EC2 error as Ec2.Ec2Exception with the code in the cause,
 * and the EC2 front refusing credentials the rehearsal did not issue with EC2's AuthFailure.
 */
@Timeout(180)
class Ec2IntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFINITION = "{\"StartAt\":\"Describe\",\"States\":{"
        + "\"Describe\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:ec2:describeVolumes\","
        + "\"Parameters\":{\"Filters\":[{\"Name\":\"tag:drbd-multiaz:cluster\",\"Values\":[\"c1\"]}],\"MaxResults\":500},"
        + "\"ResultPath\":\"$.scan\",\"Next\":\"Tag\"},"
        + "\"Tag\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:ec2:createTags\","
        + "\"Parameters\":{\"Resources.$\":\"States.Array($.scan.Volumes[0].VolumeId)\","
        + "\"Tags\":[{\"Key\":\"drbd-multiaz:node-id\",\"Value\":\"2\"}]},\"ResultPath\":null,\"Next\":\"Delete\"},"
        + "\"Delete\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:ec2:deleteVolume\","
        + "\"Parameters\":{\"VolumeId\":\"vol-0000000000000dead\"},\"ResultPath\":\"$.deleted\",\"End\":true,"
        + "\"Catch\":[{\"ErrorEquals\":[\"Ec2.Ec2Exception\"],\"ResultPath\":\"$.error\",\"Next\":\"Caught\"}]},"
        + "\"Caught\":{\"Type\":\"Pass\",\"End\":true}}}";

    @TempDir
    static Path sandbox;
    private static final ChildProcesses PROCESSES = new ChildProcesses();
    private static AslFixture fixture;
    private static SerializingFront front;
    private static Ec2Client operator;

    @BeforeAll
    static void start() throws Exception {
        MotoServer moto = MotoServer.start(PROCESSES, Files.createDirectories(sandbox.resolve("moto")));
        operator = Ec2Client.builder().endpointOverride(moto.endpoint()).region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("op", "op"))).build();
        CredentialAuthority authority = new CredentialAuthority();
        front = SerializingFront.start(moto.endpoint(), authority, SerializingFront.Protocol.EC2);
        fixture = new AslFixture(Files.createDirectories(sandbox.resolve("asl")), DEFINITION, CompressedTime.REAL,
            authority, Map.of("AWS_ENDPOINT_URL_EC2", front.endpoint().toString()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        front.close();
        operator.close();
        PROCESSES.close();
    }

    @Test
    @DisplayName("describeVolumes' result is the EC2 answer in PascalCase; createTags tags; an EC2 error is Ec2.Ec2Exception")
    void runsTheEc2Api() throws Exception {
        String volumeId = operator.createVolume(b -> b.availabilityZone("us-east-1a").size(10)
            .tagSpecifications(t -> t.resourceType("volume").tags(g -> g.key("drbd-multiaz:cluster").value("c1"))))
            .volumeId();

        Execution execution = fixture.start("ec2");
        execution.done().get(120, java.util.concurrent.TimeUnit.SECONDS);

        assertEquals(Execution.SUCCEEDED, execution.status(), execution.error() + ": " + execution.cause());
        JsonNode output = JSON.readTree(execution.output());
        JsonNode volume = output.at("/scan/Volumes/0");
        assertEquals(volumeId, volume.path("VolumeId").asText(), output.toString());
        assertEquals("available", volume.path("State").asText());
        assertEquals("c1", volume.at("/Tags/0/Value").asText());
        assertFalse(output.path("scan").has("$metadata"), "no SDK response metadata in a result");
        assertEquals("Ec2.Ec2Exception", output.at("/error/Error").asText(), output.toString());
        assertTrue(output.at("/error/Cause").asText().contains("InvalidVolume.NotFound"), output.at("/error/Cause").asText());
        assertTrue(operator.describeVolumes(b -> b.volumeIds(volumeId)).volumes().get(0).tags().stream()
            .anyMatch(t -> t.key().equals("drbd-multiaz:node-id") && t.value().equals("2")), "createTags tagged it");
    }

    @Test
    @DisplayName("the EC2 front refuses credentials the rehearsal did not issue with EC2's AuthFailure (401)")
    void refusesUnissuedCredentials() throws Exception {
        // A raw request: the JDK's HttpURLConnection (the SDK's URLConnection client) hides a 401's body.
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(front.endpoint())
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261203/us-east-1/ec2/aws4_request,"
                + " SignedHeaders=host;x-amz-date, Signature=0")
            .header("X-Amz-Date", "20261203T000000Z")
            .POST(HttpRequest.BodyPublishers.ofString("Action=DescribeVolumes&Version=2016-11-15")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("<Errors><Error><Code>AuthFailure</Code>"), refused.body());
    }
}
