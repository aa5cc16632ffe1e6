package dev.drbdmultiaz.functions.reconcile.nodes;

import java.util.ArrayList;
import java.util.List;

/** Splits instance id lists for APIs that take a bounded number of ids per call. */
final class Batches {

    /** SendCommand takes at most 50 instance ids per call. */
    static final int SSM_MAX_INSTANCE_IDS = 50;

    private Batches() {
    }

    static <T> List<List<T>> of(List<T> items, int size) {
        List<List<T>> batches = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            batches.add(List.copyOf(items.subList(i, Math.min(items.size(), i + size))));
        }
        return batches;
    }
}
