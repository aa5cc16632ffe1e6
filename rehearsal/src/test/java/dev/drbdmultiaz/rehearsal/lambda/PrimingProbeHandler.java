package dev.drbdmultiaz.rehearsal.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.OutputStream;
import java.io.InputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Core;
import org.crac.Resource;

/**
 * A test function for the rehearsal's Lambda host: its constructor registers a runtime hook, as
 * the project's handlers do through Priming; each event answers what ran before it, in order.
 */
public final class PrimingProbeHandler implements RequestStreamHandler {

    private static final List<String> RAN = new CopyOnWriteArrayList<>();
    /* org.crac holds hooks weakly. */
    private final Resource hook = new Resource() {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
            RAN.add("beforeCheckpoint");
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
            RAN.add("afterRestore");
        }
    };

    public PrimingProbeHandler() {
        Core.getGlobalContext().register(hook);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        RAN.add("event");
        output.write(("[\"" + String.join("\",\"", RAN) + "\"]").getBytes(StandardCharsets.UTF_8));
    }
}
