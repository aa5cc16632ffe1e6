package dev.drbdmultiaz.functions.reconcile.plan;

import java.util.Objects;

/**
 * Names of the node documents (CDK-generated, passed in as environment variables).
 *
 * @param install drbd-install
 * @param prepareLvm drbd-prepare-lvm
 * @param writeConfig drbd-write-config
 * @param createMetadata drbd-create-md
 * @param up drbd-up
 * @param skipInitialSync drbd-skip-initial-sync
 * @param status drbd-status
 * @param forgetPeer drbd-forget-peer
 */
public record SsmDocuments(
    String install,
    String prepareLvm,
    String writeConfig,
    String createMetadata,
    String up,
    String skipInitialSync,
    String status,
    String forgetPeer) {

    public SsmDocuments {
        Objects.requireNonNull(install, "install");
        Objects.requireNonNull(prepareLvm, "prepareLvm");
        Objects.requireNonNull(writeConfig, "writeConfig");
        Objects.requireNonNull(createMetadata, "createMetadata");
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(skipInitialSync, "skipInitialSync");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(forgetPeer, "forgetPeer");
    }
}
