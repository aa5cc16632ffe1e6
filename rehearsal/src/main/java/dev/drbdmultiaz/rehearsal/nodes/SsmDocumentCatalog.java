package dev.drbdmultiaz.rehearsal.nodes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The Command documents the account holds, by the name SendCommand uses. */
final class SsmDocumentCatalog {

    private final Map<String, SsmDocument> documents = new TreeMap<>();

    /** @param documentsByName document name to its file; every file must exist */
    SsmDocumentCatalog(Map<String, Path> documentsByName) {
        Map.copyOf(documentsByName).forEach((name, path) -> {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("Document " + name + " has no file at " + path);
            }
            documents.put(name, new SsmDocument(name, path));
        });
    }

    /** Every {@code *.yaml} of a directory by its base name (how the rehearsal deploys them). */
    static Map<String, Path> documentsIn(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            Map<String, Path> docs = new TreeMap<>();
            files.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                .forEach(p -> docs.put(p.getFileName().toString().replaceFirst("\\.yaml$", ""), p.toAbsolutePath()));
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list documents in " + directory, e);
        }
    }

    /** The document SendCommand names (ValidationException without a name, InvalidDocument for an unknown one). */
    SsmDocument named(String documentName) {
        if (documentName == null || documentName.isEmpty()) {
            throw new SsmError("ValidationException", "1 validation error detected: Value null at 'documentName'"
                + " failed to satisfy constraint: Member must not be null");
        }
        SsmDocument document = documents.get(documentName);
        if (document == null) {
            throw new SsmError("InvalidDocument", "Document with name " + documentName + " does not exist.");
        }
        return document;
    }
}
