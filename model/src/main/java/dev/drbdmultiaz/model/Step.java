package dev.drbdmultiaz.model;

import java.util.Optional;

/**
 * The steps of a reconcile: what PlanNextStep returns and the state machine routes on by name
 * (every step with a document runs in the RunNodeStep state of {@code state-machines/reconcile.asl.json},
 * the others in states of their own name).
 */
public enum Step {
    ObserveNodes(NodeDocument.STATUS, "read-only drbd-status on every member"),
    InstallDrbd(NodeDocument.INSTALL, "drbd-install on the nodes without DRBD 9"),
    PrepareLvm(NodeDocument.PREPARE_LVM, "drbd-prepare-lvm on the nodes without the thin pool and LV"),
    WriteConfig(NodeDocument.WRITE_CONFIG,
        "drbd-write-config where the config hash differs from the rendering of the active members"),
    CreateMetadata(NodeDocument.CREATE_MD, "drbd-create-md only where no metadata exists; the node re-checks (I1)"),
    UpOrAdjust(NodeDocument.UP, "drbd-up: up where down, adjust where the config and the kernel state differ"),
    WaitForConnections(NodeDocument.STATUS,
        "peers not Connected yet: wait (bounded backoff chosen by the planner), then observe again"),
    WaitForResync(NodeDocument.STATUS,
        "a joining member's disk is not UpToDate yet, or the space a resize added still resyncs: wait (a backoff for"
            + " resyncs of minutes to hours, its launch action heartbeated meanwhile, bounded by MAX_RESYNC_HOURS),"
            + " then observe again"),
    SkipInitialSync(NodeDocument.SKIP_INITIAL_SYNC,
        "drbd-skip-initial-sync on one node of a brand-new mesh only; the node re-checks (I2)"),
    ForgetDepartedPeers(NodeDocument.FORGET_PEER,
        "drbd-forget-peer on survivors, only while a survivor is UpToDate (I3, I6)"),
    GrowDataVolumes(NodeDocument.STATUS,
        "EC2 ModifyVolume grows the data volumes smaller than drbd:dataVolumeGiB (one already being modified is"
            + " left to finish), then wait and observe until the nodes see the new size (bounded)"),
    GrowBacking(NodeDocument.GROW_BACKING,
        "drbd-grow-backing where the data volume is larger than the LVM physical volume, thin pool or LV:"
            + " pvresize, then lvextend of the pool and the LV (never shrinks)"),
    ResizeDevice(NodeDocument.RESIZE,
        "drbd-resize on one member (the Primary if any) once every member's backing LV is larger than the DRBD"
            + " device and every copy is UpToDate and Connected; the node re-checks"),
    ReleaseDepartingMembers(null,
        "CONTINUE the terminate actions of the departing members let go, then wait until the group no longer"
            + " lists them: until then they stay in every survivor's config and connected (I9)"),
    Converged(null, "every member matches the desired state; nothing left to send"),
    NodeStepFailed(null, "the last node step failed on a node: name it, its exit code and stderr tail, and stop");

    private final NodeDocument document;
    private final String label;

    Step(NodeDocument document, String label) {
        this.document = document;
        this.label = label;
    }

    /** The document the step sends; empty for the steps that send none. */
    public Optional<NodeDocument> document() {
        return Optional.ofNullable(document);
    }

    /** What the step does, for the operator; its state's Comment in the ASL says the same. */
    public String label() {
        return label;
    }

    /** Whether the step's document changes a node. */
    public boolean mutating() {
        return document != null && document.mutating();
    }

    /** Whether the step runs the status document, whose result replaces the observation. */
    public boolean observes() {
        return document == NodeDocument.STATUS;
    }

    /**
     * Whether the step can change what the members it did not run on report: their connection
     * states, the peer disk states they see, their own disk state (a connection brings a resync,
     * a new current UUID makes the peers UpToDate). The others act on the target's own packages,
     * LVM, config file, unattached metadata, or a departed peer's connection and bitmap slot.
     */
    public boolean changesPeers() {
        return this == UpOrAdjust || this == SkipInitialSync || this == ResizeDevice;
    }
}
