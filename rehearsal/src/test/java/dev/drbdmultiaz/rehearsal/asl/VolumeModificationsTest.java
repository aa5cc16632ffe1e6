package dev.drbdmultiaz.rehearsal.asl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drbdmultiaz.rehearsal.aws.CredentialAuthority;
import dev.drbdmultiaz.rehearsal.aws.MotoServer;
import dev.drbdmultiaz.rehearsal.aws.SerializingFront;
import dev.drbdmultiaz.rehearsal.aws.VolumeModifications;
import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.CompressedTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * ModifyVolume in front of moto as EC2 runs it (Amazon EBS user guide, "Monitor the progress of
 * Amazon EBS volume modifications"; moto applies a new size at once and refuses nothing): the size
 * takes effect only once the modification is optimizing, a volume being modified or modified less
 * than six hours ago is refused, and so are a smaller or an unchanged size. The Step Functions
 * engine parses the answer as the SDK integration returns it.
 */
@Timeout(180)
class VolumeModificationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 10 s of modifying take 10 ms, 30 min of optimizing 1.8 s, the 6 h cooldown 21.6 s. */
    private static final CompressedTime TIME = CompressedTime.of(0.001);
    private static final String DEFINITION = "{\"StartAt\":\"Modify\",\"States\":{"
        + "\"Modify\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:ec2:modifyVolume\","
        + "\"Parameters\":{\"VolumeId.$\":\"$.VolumeId\",\"Size\":120},\"ResultSelector\":{"
        + "\"VolumeId.$\":\"$.VolumeModification.VolumeId\",\"Size.$\":\"$.VolumeModification.TargetSize\","
        + "\"ModificationState.$\":\"$.VolumeModification.ModificationState\"},\"ResultPath\":\"$.first\","
        + "\"Next\":\"Again\"},"
        + "\"Again\":{\"Type\":\"Task\",\"Resource\":\"arn:aws:states:::aws-sdk:ec2:modifyVolume\","
        + "\"Parameters\":{\"VolumeId.$\":\"$.VolumeId\",\"Size\":130},\"ResultPath\":\"$.again\",\"End\":true,"
        + "\"Catch\":[{\"ErrorEquals\":[\"States.ALL\"],\"ResultPath\":\"$.error\",\"Next\":\"Caught\"}]},"
        + "\"Caught\":{\"Type\":\"Pass\",\"End\":true}}}";

    @TempDir
    static Path sandbox;
    private static final ChildProcesses PROCESSES = new ChildProcesses();
    private static AslFixture fixture;
    private static SerializingFront front;
    private static Ec2Client moto;
    private static VolumeModifications model;
    private static final List<String> grown = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        MotoServer server = MotoServer.start(PROCESSES, Files.createDirectories(sandbox.resolve("moto")));
        moto = Ec2Client.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
            .httpClient(UrlConnectionHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("op", "op"))).build();
        CredentialAuthority authority = new CredentialAuthority();
        front = SerializingFront.start(server.endpoint(), authority, SerializingFront.Protocol.EC2);
        model = new VolumeModifications(moto, TIME);
        model.onSizeChanged((volume, gib) -> grown.add(volume + "=" + gib));
        front.answerWith(model);
        fixture = new AslFixture(Files.createDirectories(sandbox.resolve("asl")), DEFINITION, CompressedTime.REAL,
            authority, Map.of("AWS_ENDPOINT_URL_EC2", front.endpoint().toString()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        model.close();
        front.close();
        moto.close();
        PROCESSES.close();
    }

    private static String volume(int gib) {
        return moto.createVolume(b -> b.availabilityZone("us-east-1a").size(gib).volumeType("gp3")).volumeId();
    }

    private static int motoSize(String volumeId) {
        return moto.describeVolumes(b -> b.volumeIds(volumeId)).volumes().get(0).size();
    }

    private static String modify(String volumeId, int gib) {
        return model.answer(("Action=ModifyVolume&Version=2016-11-15&VolumeId=" + volumeId + "&Size=" + gib)
            .getBytes(StandardCharsets.UTF_8)).orElseThrow().body();
    }

    private static void awaitState(String volumeId, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!model.modification(volumeId).map(m -> m.state().equals(state)).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, volumeId + " never " + state);
            Thread.sleep(20);
        }
    }

    @Test
    @DisplayName("the integration's answer: modifying, the target size; a second request while it runs:"
        + " IncorrectModificationState as Ec2.Ec2Exception")
    void answersThroughTheSdkIntegration() throws Exception {
        String volumeId = volume(100);

        var execution = fixture.start("modify", "{\"VolumeId\":\"" + volumeId + "\"}");
        execution.done().get(120, TimeUnit.SECONDS);

        JsonNode output = JSON.readTree(execution.output());
        assertEquals(volumeId, output.at("/first/VolumeId").asText(), output.toString());
        assertEquals(120, output.at("/first/Size").asInt(), output.toString());
        assertEquals("modifying", output.at("/first/ModificationState").asText(), output.toString());
        assertEquals("Ec2.Ec2Exception", output.at("/error/Error").asText(), output.toString());
        assertTrue(output.at("/error/Cause").asText().contains("IncorrectModificationState"), output.toString());
        awaitState(volumeId, "optimizing");
        assertEquals(120, motoSize(volumeId), "not the refused 130");
    }

    @Test
    @DisplayName("the size takes effect when optimizing (DescribeVolumes, the instance's disk), not at the request;"
        + " refused while optimizing and within six hours after it completed")
    void sizeTakesEffectWhenOptimizingThenCooldown() throws Exception {
        String volumeId = volume(100);

        String accepted = modify(volumeId, 120);

        assertTrue(accepted.contains("<modificationState>modifying</modificationState>"), accepted);
        assertEquals(100, motoSize(volumeId), "DescribeVolumes shows the old size while modifying");
        awaitState(volumeId, "optimizing");
        assertEquals(120, motoSize(volumeId));
        assertTrue(grown.contains(volumeId + "=120"), String.valueOf(grown));
        assertTrue(modify(volumeId, 140).contains("<Code>IncorrectModificationState</Code>"));
        awaitState(volumeId, "completed");
        String cooldown = modify(volumeId, 140);
        assertTrue(cooldown.contains("<Code>VolumeModificationRateExceeded</Code>"), cooldown);
        assertEquals(120, motoSize(volumeId), "nothing changed by a refusal");
    }

    @Test
    @DisplayName("a smaller or unchanged size, or an unknown volume, is refused and changes nothing")
    void refusesShrinkAndNoChange() {
        String volumeId = volume(100);

        assertTrue(modify(volumeId, 50).contains("<Code>InvalidParameterValue</Code>"));
        assertTrue(modify(volumeId, 100).contains("<Code>InvalidParameterValue</Code>"));
        assertTrue(modify("vol-0000000000000dead", 120).contains("<Code>InvalidVolume.NotFound</Code>"));
        assertEquals(100, motoSize(volumeId));
        assertTrue(model.modification(volumeId).isEmpty(), "no modification recorded");
    }
}
