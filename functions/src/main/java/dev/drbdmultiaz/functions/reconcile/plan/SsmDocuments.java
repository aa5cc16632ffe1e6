package dev.drbdmultiaz.functions.reconcile.plan;

import dev.drbdmultiaz.functions.common.Env;
import dev.drbdmultiaz.model.NodeDocument;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The deployed names of the node documents (CDK-generated; the construct passes each in the
 * variable {@link NodeDocument#environmentVariable()} names).
 *
 * @param names one name for every {@link NodeDocument}
 */
public record SsmDocuments(Map<NodeDocument, String> names) {

    public SsmDocuments {
        Objects.requireNonNull(names, "names");
        Set<NodeDocument> missing = EnumSet.allOf(NodeDocument.class);
        missing.removeAll(names.keySet());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("SsmDocuments needs a name for every document, missing " + missing);
        }
        names = Collections.unmodifiableMap(new EnumMap<>(names));
    }

    /** The deployed name of {@code document}. */
    public String name(NodeDocument document) {
        return names.get(document);
    }

    /** Every document named by {@code naming}. */
    public static SsmDocuments named(Function<NodeDocument, String> naming) {
        Map<NodeDocument, String> names = new EnumMap<>(NodeDocument.class);
        Arrays.stream(NodeDocument.values()).forEach(d -> names.put(d, Objects.requireNonNull(naming.apply(d), d.name())));
        return new SsmDocuments(names);
    }

    /** The names in the functions' environment; fails naming the first missing variable. */
    public static SsmDocuments from(Env env) {
        return named(d -> env.require(d.environmentVariable()));
    }
}
