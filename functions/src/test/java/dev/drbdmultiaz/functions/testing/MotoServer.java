package dev.drbdmultiaz.functions.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A moto_server on 127.0.0.1 and a free port, for handler tests with real SDK calls. Start it in
 * {@code @BeforeAll}, close it in {@code @AfterAll}.
 */
public final class MotoServer implements AutoCloseable {

    public static final Region REGION = Region.EU_WEST_1;
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final URI endpoint;
    private final SdkHttpClient http = UrlConnectionHttpClient.builder().build();

    private MotoServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    /** Starts moto_server and waits until it answers. */
    public static MotoServer start() {
        int port = freePort();
        Process process;
        try {
            process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", String.valueOf(port))
                .redirectErrorStream(true)
                .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "moto-server-" + port + ".log"))
                .start();
        } catch (IOException e) {
            throw new IllegalStateException("moto_server is not on PATH: run the tests with bin/test, which"
                + " installs the moto pinned in bin/lib/python-tools.txt into .tools/bin (or says how to get it)", e);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        MotoServer server = new MotoServer(process, endpoint);
        server.awaitReady();
        return server;
    }

    public URI endpoint() {
        return endpoint;
    }

    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(REGION)
            .credentialsProvider(credentials()).httpClient(http).build();
    }

    public AutoScalingClient autoScaling() {
        return AutoScalingClient.builder().endpointOverride(endpoint).region(REGION)
            .credentialsProvider(credentials()).httpClient(http).build();
    }

    public Ec2Client ec2() {
        return Ec2Client.builder().endpointOverride(endpoint).region(REGION)
            .credentialsProvider(credentials()).httpClient(http).build();
    }

    public SfnClient sfn() {
        return SfnClient.builder().endpointOverride(endpoint).region(REGION)
            .credentialsProvider(credentials()).httpClient(http).build();
    }

    public SsmClient ssm() {
        return SsmClient.builder().endpointOverride(endpoint).region(REGION)
            .credentialsProvider(credentials()).httpClient(http).build();
    }

    /** A client builder pointed at this server, for tests that configure more (e.g. interceptors). */
    public <B extends AwsClientBuilder<B, ?>> B configure(B builder) {
        return builder.endpointOverride(endpoint).region(REGION).credentialsProvider(credentials());
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(STARTUP);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto_server exited with " + process.exitValue()
                    + " before it answered (its log: " + System.getProperty("java.io.tmpdir")
                    + "/moto-server-" + endpoint.getPort() + ".log)");
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
                connection.setConnectTimeout(500);
                connection.setReadTimeout(2000);
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for moto_server", e);
            }
        }
        close();
        throw new IllegalStateException("moto_server did not answer within " + STARTUP.toSeconds() + " s");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("Found no free port for moto_server", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        http.close();
    }
}
