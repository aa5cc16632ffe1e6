"""DRBD peer connections across the fleet: when two nodes link, the generation UUID handshake
(resync, UpToDate or split brain), and settle(), which brings the whole fleet up to date.
"""

from .drbd_kernel import alive, dev0, find_peer, kernel_resources, md_of
from .drbd_resync import progress_syncs, start_sync
from .metadata import JUST_CREATED


def net_compatible(a, b):
    na, nb = a.get("net", {}), b.get("net", {})
    for k in ("shared-secret", "cram-hmac-alg"):
        if na.get(k) != nb.get(k):
            return False
    return na.get("protocol", "C") == nb.get("protocol", "C")


def can_link(world, node, res, peer_id, conn):
    if not conn.get("connect") or conn.get("standalone"):
        return None
    found = find_peer(world, node, res, peer_id, conn)
    if not found:
        return None
    other, ores, back = found
    if not back.get("connect") or back.get("standalone") or not net_compatible(conn, back):
        return None
    return found


def disk_good(state):
    return state in ("UpToDate", "Consistent", "Outdated")


def handshake(world, a, ares, b, bres):
    """Compare generation UUIDs when a and b connect; start a resync or mark UpToDate."""
    adev, bdev = dev0(ares), dev0(bres)
    amd, bmd = md_of(a, adev), md_of(b, bdev)
    if not amd or not bmd:
        return
    sa, sb = adev["diskState"], bdev["diskState"]
    if ares.get("sync") or bres.get("sync"):
        return
    if amd["current"] == bmd["current"]:
        if amd["current"] == JUST_CREATED:
            return
        # Equal UUIDs, but one side holds out-of-sync bits for the other (writes the other missed
        # while its disk had failed): bitmap resync towards the side that missed them.
        a_dirty = amd["slots"].get(str(bres["nodeId"]), {}).get("dirty")
        b_dirty = bmd["slots"].get(str(ares["nodeId"]), {}).get("dirty")
        if a_dirty and not b_dirty and sa == "UpToDate" and disk_good(sb):
            start_sync(world, b, bres, a, ares, full=False)
            return
        if b_dirty and not a_dirty and sb == "UpToDate" and disk_good(sa):
            start_sync(world, a, ares, b, bres, full=False)
            return
        if disk_good(sa) and disk_good(sb):
            for dev, md in ((adev, amd), (bdev, bmd)):
                dev["diskState"] = "UpToDate"
                md["consistent"] = md["upToDate"] = True
            return
        if sa == "UpToDate" and sb == "Inconsistent":
            start_sync(world, b, bres, a, ares, full=False)
        elif sb == "UpToDate" and sa == "Inconsistent":
            start_sync(world, a, ares, b, bres, full=False)
        return

    def related(x, y):  # y's current is in x's history: x is ahead of y
        return y["current"] in x["history"] or y["current"] in [s.get("bitmapUuid") for s in x["slots"].values()]

    if disk_good(sa) and sa != "Outdated" and sb == "Inconsistent":
        start_sync(world, b, bres, a, ares, full=not related(amd, bmd) or bmd["current"] == JUST_CREATED)
    elif disk_good(sb) and sb != "Outdated" and sa == "Inconsistent":
        start_sync(world, a, ares, b, bres, full=not related(bmd, amd) or amd["current"] == JUST_CREATED)
    elif disk_good(sa) and disk_good(sb):
        if related(amd, bmd):
            start_sync(world, b, bres, a, ares, full=False)
        elif related(bmd, amd):
            start_sync(world, a, ares, b, bres, full=False)
        else:  # split brain: both sides drop the connection
            ares["connections"][str(bres["nodeId"])]["standalone"] = True
            bres["connections"][str(ares["nodeId"])]["standalone"] = True
            ares["connections"][str(bres["nodeId"])]["linked"] = False
            bres["connections"][str(ares["nodeId"])]["linked"] = False
            ares.setdefault("events", []).append("split-brain with node-id %s" % bres["nodeId"])
            bres.setdefault("events", []).append("split-brain with node-id %s" % ares["nodeId"])


def settle(world):
    """Bring links, handshakes and resyncs of the whole fleet up to date."""
    progress_syncs(world)
    for node in world.all_nodes():
        for res in kernel_resources(node).values():
            for pid, conn in res["connections"].items():
                found = can_link(world, node, res, pid, conn) if alive(node) else None
                if found:
                    other, ores, back = found
                    if not conn.get("linked") or not back.get("linked"):
                        conn["linked"] = back["linked"] = True
                        for c in (conn, back):
                            c.pop("standalone", None)
                        handshake(world, node, res, other, ores)
                elif conn.get("linked"):
                    conn["linked"] = False
    progress_syncs(world)
