package dev.drbdmultiaz.functions.drbd;

import java.util.List;

/** Specs shared by the renderer tests; their renderings are the golden files. */
final class DrbdSpecs {

    private DrbdSpecs() {
    }

    /** A fresh three-AZ cluster with the defaults. Golden file: three-nodes.res. */
    static DrbdResourceSpec threeNodes() {
        return new DrbdResourceSpec("r0", 7789, 0, "/dev/drbdpool/r0", List.of(
            new DrbdNodeSpec("ip-10-0-1-23", "10.0.1.23", 0),
            new DrbdNodeSpec("ip-10-0-2-7", "10.0.2.7", 1),
            new DrbdNodeSpec("ip-10-0-3-41", "10.0.3.41", 2)));
    }

    /**
     * Five nodes after some replacements (node-ids with gaps, given out of order), FQDN host
     * names, non-default port, minor and algorithms. Golden file: five-nodes.res.
     */
    static DrbdResourceSpec fiveNodes() {
        return new DrbdResourceSpec("data_01", 7800, 3, "/dev/vg-drbd/data_01.thin", List.of(
            new DrbdNodeSpec("ip-10-0-3-9.eu-west-1.compute.internal", "10.0.3.9", 6),
            new DrbdNodeSpec("ip-10-0-1-12.eu-west-1.compute.internal", "10.0.1.12", 0),
            new DrbdNodeSpec("ip-10-0-2-200.eu-west-1.compute.internal", "10.0.2.200", 4),
            new DrbdNodeSpec("ip-10-0-1-130.eu-west-1.compute.internal", "10.0.1.130", 1),
            new DrbdNodeSpec("ip-10-0-2-44.eu-west-1.compute.internal", "10.0.2.44", 3)),
            "sha256", "sha512");
    }
}
