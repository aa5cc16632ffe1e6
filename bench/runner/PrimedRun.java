import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.drbdmultiaz.rehearsal.lambda.crac.Core;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Benchmark runner for SnapStart priming: in a fresh JVM, instantiates a handler by its no-arg
 * constructor with the rehearsal's CRaC context in place (as the rehearsal's Lambda host does for
 * a SnapStart function), runs the registered hooks (beforeCheckpoint, then afterRestore; the
 * snapshot and its restore are not taken here), then times the first event and a second, warm one.
 * Output: "BENCH primingMillis=<n> firstMicros=<n> warmMicros=<n> bytes=<first response length>".
 * Usage: java -cp JAR:REHEARSAL_CLASSES:DIR PrimedRun HANDLER_CLASS EVENT_JSON
 */
public final class PrimedRun {

    private PrimedRun() {
    }

    public static void main(String[] args) throws Exception {
        byte[] event = args[1].getBytes(StandardCharsets.UTF_8);
        System.setProperty("org.crac.Core.Compat", Core.class.getPackageName());
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0])
            .getDeclaredConstructor().newInstance();
        long primingStart = System.nanoTime();
        Core.checkpointRestore();
        long primingMillis = (System.nanoTime() - primingStart) / 1_000_000;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long firstStart = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        long firstMicros = (System.nanoTime() - firstStart) / 1000;
        int firstBytes = out.size();
        out.reset();
        long warmStart = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        long warmMicros = (System.nanoTime() - warmStart) / 1000;
        System.out.println("BENCH primingMillis=" + primingMillis + " firstMicros=" + firstMicros + " warmMicros="
            + warmMicros + " bytes=" + firstBytes);
    }
}
