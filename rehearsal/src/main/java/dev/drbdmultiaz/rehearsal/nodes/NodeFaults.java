package dev.drbdmultiaz.rehearsal.nodes;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Faults of one simulated node, set when the fleet adds it. The node simulator knows them by the
 * names of {@code rehearsal/nodesim/faults.json}, which are the names of these components
 * (NodeFaultsTest checks that the two agree).
 *
 * @param installFails {@code apt-get install} exits 100 with a "Failed to fetch ... 503" message
 * @param foreignFilesystem a filesystem signature already on the data disk (e.g. {@code ext4}), or
 *     {@code null} for a blank disk
 * @param slowFactor multiplies every simulated duration of this node (1.0 = normal)
 * @param inTreeDrbd84 the kernel ships the in-tree DRBD 8.4 module: {@code modinfo drbd} answers
 *     8.4.11 until drbd-dkms is installed
 * @param secretUnreadable {@code aws secretsmanager get-secret-value} is denied on this node
 */
public record NodeFaults(boolean installFails, String foreignFilesystem, double slowFactor, boolean inTreeDrbd84,
    boolean secretUnreadable) {

    public NodeFaults {
        if (!(slowFactor > 0)) {
            throw new IllegalArgumentException("slowFactor must be > 0, got " + slowFactor);
        }
        if (foreignFilesystem != null && !foreignFilesystem.matches("[A-Za-z0-9_]{1,32}")) {
            throw new IllegalArgumentException("foreignFilesystem must be a blkid TYPE such as ext4, got "
                + foreignFilesystem);
        }
    }

    /** A healthy node. */
    public static NodeFaults none() {
        return new NodeFaults(false, null, 1.0, false, false);
    }

    public NodeFaults withInstallFailure() {
        return new NodeFaults(true, foreignFilesystem, slowFactor, inTreeDrbd84, secretUnreadable);
    }

    public NodeFaults withForeignFilesystem(String type) {
        return new NodeFaults(installFails, type, slowFactor, inTreeDrbd84, secretUnreadable);
    }

    public NodeFaults withSlowFactor(double factor) {
        return new NodeFaults(installFails, foreignFilesystem, factor, inTreeDrbd84, secretUnreadable);
    }

    public NodeFaults withInTreeDrbd84() {
        return new NodeFaults(installFails, foreignFilesystem, slowFactor, true, secretUnreadable);
    }

    public NodeFaults withSecretUnreadable() {
        return new NodeFaults(installFails, foreignFilesystem, slowFactor, inTreeDrbd84, true);
    }

    /**
     * Every fault by its name, in component order: what {@code nodesim.py fleet add-node --faults}
     * takes as a JSON object.
     */
    public Map<String, Object> byName() {
        Map<String, Object> faults = new LinkedHashMap<>();
        for (RecordComponent component : NodeFaults.class.getRecordComponents()) {
            try {
                faults.put(component.getName(), component.getAccessor().invoke(this));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Could not read the fault " + component.getName(), e);
            }
        }
        return faults;
    }
}
