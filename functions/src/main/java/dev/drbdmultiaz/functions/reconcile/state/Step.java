package dev.drbdmultiaz.functions.reconcile.state;

/** The step names PlanNextStep returns; the state machine routes on them by name. */
public enum Step {
    ObserveNodes(false),
    InstallDrbd(true),
    PrepareLvm(true),
    WriteConfig(true),
    CreateMetadata(true),
    UpOrAdjust(true),
    WaitForConnections(false),
    SkipInitialSync(true),
    ForgetDepartedPeers(true),
    Converged(false);

    private final boolean mutating;

    Step(boolean mutating) {
        this.mutating = mutating;
    }

    /** Whether the step's document changes a node. */
    public boolean mutating() {
        return mutating;
    }

    /** Whether the step runs the status document, whose result replaces the observation. */
    public boolean observes() {
        return this == ObserveNodes || this == WaitForConnections;
    }
}
