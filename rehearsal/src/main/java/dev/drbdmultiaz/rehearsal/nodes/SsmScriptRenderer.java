package dev.drbdmultiaz.rehearsal.nodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Renders a document's script once per command with {@code node rehearsal/runtime/ssm-doc.mjs
 * render}, which checks the parameters against the document as SSM does at SendCommand: exit 2
 * (a parameter refused) answers InvalidParameters, any other failure InvalidDocument.
 */
final class SsmScriptRenderer {

    private final String nodeExecutable;
    private final Path renderer;

    SsmScriptRenderer(Path projectRoot) {
        this.nodeExecutable = System.getProperty("rehearsal.node", "node");
        this.renderer = projectRoot.resolve("rehearsal/runtime/ssm-doc.mjs");
    }

    /** Writes the script of {@code document} with the {@code Name=Value} assignments to {@code script}. */
    void render(Path document, Path script, List<String> assignments) {
        List<String> cmd = new ArrayList<>(List.of(nodeExecutable, renderer.toString(), "render", document.toString(),
            script.toString()));
        cmd.addAll(assignments);
        try {
            Files.createDirectories(script.getParent());
            Path err = script.resolveSibling("render.err");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("ssm-doc.mjs render did not finish in 60 s");
            }
            String message = Files.readString(err).strip().replaceFirst("^ssm-doc: ", "");
            if (p.exitValue() == 2) {
                throw new SsmError("InvalidParameters", message);
            }
            if (p.exitValue() != 0) {
                throw new SsmError("InvalidDocument", message);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not render " + document, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while rendering " + document, e);
        }
    }
}
