package dev.drbdmultiaz.rehearsal.aws;

import dev.drbdmultiaz.rehearsal.support.ChildProcesses;
import dev.drbdmultiaz.rehearsal.support.Net;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * moto_server on 127.0.0.1 and a free port: DynamoDB, EC2 and Auto Scaling of the rehearsal
 * (Auto Scaling through {@link AutoScalingFront}). Its log goes to {@code moto.log} in the sandbox.
 */
public final class MotoServer {

    /** What to tell a user who has no moto_server. */
    public static final String INSTALL_HINT = "moto_server is not on PATH: run bin/rehearse, which installs the"
        + " version pinned in bin/lib/python-tools.txt into .tools/bin (or says how to get it)";

    private final URI endpoint;

    private MotoServer(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** Starts moto_server and waits until it answers. */
    public static MotoServer start(ChildProcesses processes, Path sandbox) {
        int port = Net.freePort();
        Process process;
        try {
            process = processes.start(new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(sandbox.resolve("moto.log").toFile()));
        } catch (IOException e) {
            throw new IllegalStateException(INSTALL_HINT, e);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Net.awaitHttp(endpoint.resolve("/moto-api/"), Duration.ofSeconds(60), process, "moto_server");
        return new MotoServer(endpoint);
    }

    public URI endpoint() {
        return endpoint;
    }
}
