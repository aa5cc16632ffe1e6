"""DRBD peer connections across the fleet: when two nodes link, the generation UUID handshake
(resync, UpToDate or split brain), and settle(), which brings the whole fleet up to date.
"""

from .drbd_kernel import alive, dev0, device_kib, find_peer, has_quorum, kernel_resources, md_of
from .drbd_resync import progress_syncs, start_sync
from .metadata import JUST_CREATED
from .storage import kernel_event


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


def has_bits(md, peer_res):
    """Whether md's bitmap slot for the peer holds out-of-sync bits."""
    slot = md["slots"].get(str(peer_res["nodeId"]), {})
    return bool(slot.get("dirty") or slot.get("oos"))


def sync_to(world, target, tres, source, sres, full):
    """Start a resync onto target, unless target is Primary with good data and something to resync:
    drbd_receiver.c drbd_sync_handshake "I shall become SyncTarget, but I am primary!" with the
    default rr-conflict disconnect (drbd.conf(5) rr-conflict: "No automatic resynchronization, simply
    disconnect"): the Primary's side goes StandAlone, the peer's connection stays unlinked."""
    tdev, tmd, smd = dev0(tres), md_of(target, dev0(tres)), md_of(source, dev0(sres))
    if (tres.get("role") == "Primary" and tdev["diskState"] in ("UpToDate", "Consistent")
            and (full or has_bits(smd, tres) or has_bits(tmd, sres))):
        conn = tres["connections"][str(sres["nodeId"])]
        conn["standalone"], conn["linked"] = True, False
        sres["connections"][str(tres["nodeId"])]["linked"] = False
        kernel_event(target, "drbd %s/0 drbd%s %s: I shall become SyncTarget, but I am primary!"
                     % (tres["name"], tdev.get("minor"), conn.get("net", {}).get("_name", "peer")))
        return
    start_sync(world, target, tres, source, sres, full)


def agree_on_size(ares, amd, bres, bmd):
    """The device size two peers use when they connect (drbd_receiver.c receive_sizes, drbd_nl.c
    drbd_new_dev_size): the smaller one, but a device that holds data never shrinks on connect:
    "The peer's disk size is too small!" and the connection is dropped (it stays Connecting). A new
    member adopts the size of the device that holds data. The harsher reading where the sources
    are unclear: connecting never grows a device either (only `resize` does), and two devices with
    data but different sizes do not connect. Returns whether the two may connect."""
    holders = [md for md in (amd, bmd) if md["current"] != JUST_CREATED]
    sizes = {device_kib(md) for md in holders} or {min(device_kib(amd), device_kib(bmd))}
    refusal = None
    if len(sizes) > 1:
        refusal = "The peer's disk size is too small! (%d < %d KiB)" % (min(sizes), max(sizes))
    agreed = min(sizes)
    for md in (amd, bmd):
        if refusal is None and int(md["sizeKiB"]) < agreed:
            refusal = "The peer's disk size is too small! (%d < %d KiB)" % (int(md["sizeKiB"]), agreed)
    if refusal is not None:
        for res in (ares, bres):
            events = res.setdefault("events", [])
            if not events or events[-1] != refusal:
                events.append(refusal)
        return False
    amd["laSizeKiB"] = bmd["laSizeKiB"] = agreed
    return True


def handshake(world, a, ares, b, bres):
    """Compare generation UUIDs when a and b connect; start a resync or mark UpToDate."""
    adev, bdev = dev0(ares), dev0(bres)
    amd, bmd = md_of(a, adev), md_of(b, bdev)
    if not amd or not bmd:
        return
    if not agree_on_size(ares, amd, bres, bmd):
        ares["connections"][str(bres["nodeId"])]["linked"] = False
        bres["connections"][str(ares["nodeId"])]["linked"] = False
        return
    sa, sb = adev["diskState"], bdev["diskState"]
    if ares.get("sync") or bres.get("sync"):
        return
    if amd["current"] == bmd["current"]:
        if amd["current"] == JUST_CREATED:
            return
        # Equal UUIDs, but one side holds out-of-sync bits for the other (writes the other missed
        # while its disk had failed): bitmap resync towards the side that missed them.
        a_dirty, b_dirty = has_bits(amd, bres), has_bits(bmd, ares)
        # RULE_LOST_QUORUM (drbd_receiver.c drbd_uuid_compare): with equal UUIDs the node that lost
        # quorum while Primary (MDF_PRIMARY_LOST_QUORUM) becomes the SyncTarget; its writes without
        # quorum were never acknowledged, both bitmaps are resynced from the other side.
        a_lost, b_lost = bool(amd.get("primaryLostQuorum")), bool(bmd.get("primaryLostQuorum"))
        if a_lost != b_lost and (a_dirty or b_dirty):
            if a_lost and sb == "UpToDate" and disk_good(sa):
                sync_to(world, a, ares, b, bres, full=False)
                return
            if b_lost and sa == "UpToDate" and disk_good(sb):
                sync_to(world, b, bres, a, ares, full=False)
                return
        if a_dirty and not b_dirty and sa == "UpToDate" and disk_good(sb):
            sync_to(world, b, bres, a, ares, full=False)
            return
        if b_dirty and not a_dirty and sb == "UpToDate" and disk_good(sa):
            sync_to(world, a, ares, b, bres, full=False)
            return
        if disk_good(sa) and disk_good(sb):
            for dev, md in ((adev, amd), (bdev, bmd)):
                dev["diskState"] = "UpToDate"
                md["consistent"] = md["upToDate"] = True
            return
        if sa == "UpToDate" and sb == "Inconsistent":
            sync_to(world, b, bres, a, ares, full=False)
        elif sb == "UpToDate" and sa == "Inconsistent":
            sync_to(world, a, ares, b, bres, full=False)
        return

    def related(x, y):  # y's current is in x's history: x is ahead of y
        return y["current"] in x["history"] or y["current"] in [s.get("bitmapUuid") for s in x["slots"].values()]

    if disk_good(sa) and sa != "Outdated" and sb == "Inconsistent":
        sync_to(world, b, bres, a, ares, full=not related(amd, bmd) or bmd["current"] == JUST_CREATED)
    elif disk_good(sb) and sb != "Outdated" and sa == "Inconsistent":
        sync_to(world, a, ares, b, bres, full=not related(bmd, amd) or amd["current"] == JUST_CREATED)
    elif disk_good(sa) and disk_good(sb):
        if related(amd, bmd):
            sync_to(world, b, bres, a, ares, full=False)
        elif related(bmd, amd):
            sync_to(world, a, ares, b, bres, full=False)
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
    for node in world.all_nodes():
        for res in kernel_resources(node).values() if alive(node) else ():
            note_quorum(node, res)
    progress_syncs(world)


def note_quorum(node, res):
    """drbd_state.c: a Primary without quorum sets PRIMARY_LOST_QUORUM (kept in the metadata flags as
    MDF_PRIMARY_LOST_QUORUM); regaining quorum clears it, after the handshakes it decided."""
    md = md_of(node, dev0(res))
    if md is None:
        return
    if not has_quorum(res):
        if res.get("role") == "Primary":
            md["primaryLostQuorum"] = True
    else:
        md.pop("primaryLostQuorum", None)
