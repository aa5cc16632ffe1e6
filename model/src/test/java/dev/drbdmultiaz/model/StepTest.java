package dev.drbdmultiaz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class StepTest {

    @Test
    void documentsAreNamedLikeTheirFilesAndVariables() {
        assertEquals("drbd-create-md", NodeDocument.CREATE_MD.baseName());
        assertEquals("drbd-skip-initial-sync.yaml", NodeDocument.SKIP_INITIAL_SYNC.fileName());
        assertEquals("DOCUMENT_FORGET_PEER", NodeDocument.FORGET_PEER.environmentVariable());
        assertEquals(Optional.of(NodeDocument.UP), NodeDocument.ofBaseName("drbd-up"));
        assertEquals(Optional.empty(), NodeDocument.ofBaseName("drbd-promote"));
        assertEquals(Optional.empty(), NodeDocument.ofBaseName("drbd-up.yaml"));
    }

    @Test
    void onlyTheStatusDocumentIsReadOnly() {
        assertEquals(Set.of(NodeDocument.STATUS), Arrays.stream(NodeDocument.values())
            .filter(d -> !d.mutating()).collect(Collectors.toSet()));
    }

    @Test
    void stepsMutateAndObserveAsTheirDocumentsDo() {
        Map<String, String> kinds = new TreeMap<>();
        Arrays.stream(Step.values()).forEach(step -> kinds.put(step.name(),
            (step.mutating() ? "mutating" : "read-only") + (step.observes() ? ", observes" : "")));
        assertEquals(Map.ofEntries(
            Map.entry("ObserveNodes", "read-only, observes"),
            Map.entry("InstallDrbd", "mutating"),
            Map.entry("PrepareLvm", "mutating"),
            Map.entry("WriteConfig", "mutating"),
            Map.entry("CreateMetadata", "mutating"),
            Map.entry("UpOrAdjust", "mutating"),
            Map.entry("WaitForConnections", "read-only, observes"),
            Map.entry("WaitForResync", "read-only, observes"),
            Map.entry("SkipInitialSync", "mutating"),
            Map.entry("ForgetDepartedPeers", "mutating"),
            Map.entry("GrowDataVolumes", "read-only, observes"),
            Map.entry("GrowBacking", "mutating"),
            Map.entry("ResizeDevice", "mutating"),
            Map.entry("ReleaseDepartingMembers", "read-only"),
            Map.entry("Converged", "read-only"),
            Map.entry("NodeStepFailed", "read-only")), kinds);
        assertEquals(Optional.empty(), Step.Converged.document());
        assertEquals(Optional.empty(), Step.ReleaseDepartingMembers.document());
        assertEquals(Optional.empty(), Step.NodeStepFailed.document());
    }

    @Test
    void stepsThatChangePeers() {
        assertEquals(Set.of(Step.UpOrAdjust, Step.SkipInitialSync, Step.ResizeDevice),
            Arrays.stream(Step.values()).filter(Step::changesPeers).collect(Collectors.toSet()));
    }
}
