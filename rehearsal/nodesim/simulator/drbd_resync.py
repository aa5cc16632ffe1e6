"""DRBD resyncs: a SyncTarget's progress over the scaled duration, what it writes (and so maps on a
thin LV), and what the target holds when it completes.
"""

import re

from .constants import DURATION
from .dm_thin import thin_allocate
from .drbd_kernel import alive, dev0, device_kib, find_peer, io_error_detach, kernel_resources, linked_disks, md_of
from .lvm_model import round_up
from .storage import now


def size_opt_bytes(v):
    m = re.match(r"^(\d+)([kKmMgG]?)$", str(v or "0"))
    if not m:
        return 0
    return int(m.group(1)) * {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[m.group(2).lower()]


def resync_goal_kib(tdev, tmd, sdev, smd, full, chunk=64):
    """How much of the target's data area a resync writes (and so allocates on a thin LV).
    Bitmap resync: only blocks the source wrote. Full resync: every block (DRBD reads and writes
    the whole device) unless rs-discard-granularity is non-zero: "DRBD limits and aligns its
    resync requests to the rs-discard-granularity setting. If the sync source detects all zeros in
    such a block, the resync target discards the range on disk" (linux commit "drbd: Introduce new
    disk config option rs-discard-granularity", drbd.conf(5) rs-discard-granularity: only when the
    backing device reads back zeroes after a discard, i.e. discard-zeroes-if-aligned yes, the
    default). The target aligns the requests, the source detects the zeros: the simulation takes
    the harsher reading and needs the option on BOTH (and discard-zeroes-if-aligned not "no" on the
    target); the granularity is rounded up to the pool chunk (the backing discard granularity)."""
    written = int(smd.get("writtenKiB", 0))
    if not full:
        return written
    t = size_opt_bytes((tdev.get("diskOptions") or {}).get("rs-discard-granularity"))
    s = size_opt_bytes((sdev.get("diskOptions") or {}).get("rs-discard-granularity"))
    zeroes = (tdev.get("diskOptions") or {}).get("discard-zeroes-if-aligned", "yes") != "no"
    if t and s and zeroes:
        return min(device_kib(tmd), round_up(written, max(t // 1024, chunk)))
    return device_kib(tmd)


def start_sync(world, target, tres, source, sres, full):
    tdev = dev0(tres)
    smd = md_of(source, dev0(sres))
    tmd = md_of(target, tdev)
    base = DURATION["resync-full"] if full else DURATION["resync-bitmap"]
    duration = max(base * world.scale(target), 0.05)
    done = 0.0
    prior = tmd.get("resync") if tmd else None
    if prior and prior.get("uuid") == smd["current"]:
        done = float(prior.get("done", 0.0))
    tdev["diskState"] = "Inconsistent"
    if tmd:
        tmd["consistent"] = False
        tmd["upToDate"] = False
        tmd["resync"] = {"uuid": smd["current"], "done": done, "full": full}
    tres["sync"] = {"source": int(sres["nodeId"]), "uuid": smd["current"], "done": done, "since": now(),
                    "duration": duration, "full": full, "observed": 0}


def progress_syncs(world):
    t = now()
    for node in world.all_nodes():
        if not alive(node):
            continue
        for res in kernel_resources(node).values():
            s = res.get("sync")
            if not s:
                continue
            dev = dev0(res)
            md = md_of(node, dev)
            if md is None:
                res["sync"] = None
                continue
            src = None
            src_info = None
            for pid, onode, ores, odev, omd in linked_disks(world, node, res, first=s["source"]):
                if odev and odev["diskState"] == "UpToDate" and omd and omd["current"] == s["uuid"]:
                    src = pid
                    src_info = (onode, ores, odev, omd)
                    break
            if src is None:
                src, src_info = restart_from_another_source(world, node, res, s)
            if src is not None and src == s["source"]:
                s["done"] = min(1.0, s["done"] + (t - s["since"]) / s["duration"])
            elif src is not None:
                s["source"] = src
            s["since"] = t
            md["resync"] = {"uuid": s["uuid"], "done": s["done"], "full": s["full"]}
            if src_info is not None:
                # The resync writes the target's blocks in order: they get mapped on a thin LV.
                goal = resync_goal_kib(dev, md, src_info[2], src_info[3], s["full"])
                if not thin_allocate(node, dev["disk"], data_kib=int(goal * min(s["done"], 1.0))):
                    io_error_detach(node, res, dev, "drbd_peer_request_endio")
                    node.setdefault("kernelEvents", []).append(
                        "drbd %s/0 drbd%s: resync aborted: local disk failed" % (res["name"], dev.get("minor")))
                    continue
            if s["done"] >= 1.0 and s["observed"] > 0 and src is not None:
                # What the source holds is now on the target; the source's bitmap for it is clean.
                smd = src_info[3]
                copy_blocks(md, smd, str(res["nodeId"]), str(src), s["full"])
                md["checksum"], md["writtenKiB"] = smd.get("checksum"), int(smd.get("writtenKiB", 0))
                md["lastResync"] = "full" if s["full"] else "bitmap"
                sslot = smd["slots"].get(str(res["nodeId"]))
                if sslot is not None:
                    sslot["bitmapUuid"], sslot["dirty"] = 0, False
                    sslot.pop("oos", None)
                tslot = md["slots"].get(str(src))
                if tslot is not None:
                    tslot["dirty"] = False
                    tslot.pop("oos", None)
                peers_in_sync(world, node, res, s["uuid"])
                md.pop("primaryLostQuorum", None)
                md["current"] = s["uuid"]
                md["history"] = [0, 0] if s["full"] else md["history"]
                md["consistent"] = md["upToDate"] = True
                md["resync"] = None
                dev["diskState"] = "UpToDate"
                res["sync"] = None


def restart_from_another_source(world, node, res, s):
    """No connected UpToDate peer holds the generation the resync started on (its source went away
    and the others moved on to a new data generation meanwhile): DRBD 9 resyncs a SyncTarget from a
    connected UpToDate peer, so the resync starts over from the first such peer, on that peer's
    generation, as a full resync from the beginning (the harsher reading: no progress kept).
    Returns (source node-id, (node, res, dev, md)) or (None, None) when no peer can feed it."""
    for pid, onode, ores, odev, omd in linked_disks(world, node, res):
        if odev and odev["diskState"] == "UpToDate" and omd and not ores.get("sync"):
            s.update(source=pid, uuid=omd["current"], done=0.0, full=True, since=now())
            return pid, (onode, ores, odev, omd)
    return None, None


def copy_blocks(tmd, smd, target_id, source_id, full):
    """The blocks a completed resync wrote on the target, with the source's content. Full resync:
    every block of the source (blocks the source never wrote read back as zeros, so whatever the
    target had there is gone). Bitmap resync: the blocks out of sync between the two, from both
    bitmaps (DRBD exchanges the bitmaps before a bitmap resync and the source ORs in the target's,
    drbd_receiver.c receive_bitmap): the source's bits for the target plus the target's bits for the
    source; application writes during the resync were mirrored (drbd_req.c drbd_should_do_remote)
    and cleared their bits. Blocks outside the bitmaps stay as the target had them: a disk made
    UpToDate by `new-current-uuid --clear-bitmap` keeps what it held (nothing), so a wrongly skipped
    initial sync shows as differing blocks."""
    src = smd.get("blocks", {})
    if full:
        tmd["blocks"] = dict(src)
        return
    out = set(smd["slots"].get(target_id, {}).get("oos", [])) | set(tmd["slots"].get(source_id, {}).get("oos", []))
    blocks = tmd.setdefault("blocks", {})
    for b in sorted(out):
        if str(b) in src:
            blocks[str(b)] = src[str(b)]
        else:
            blocks.pop(str(b), None)


def peers_in_sync(world, node, res, uuid):
    """After a resync, the connected peers on the same data generation drop their bits for the
    target too (DRBD 9 P_PEERS_IN_SYNC: the blocks are in sync with every node that has them)."""
    nid = str(res["nodeId"])
    for pid, conn in res["connections"].items():
        if not conn.get("linked"):
            continue
        found = find_peer(world, node, res, pid, conn)
        if not found:
            continue
        omd = md_of(found[0], dev0(found[1]))
        if omd is None or omd["current"] != uuid or dev0(found[1])["diskState"] != "UpToDate":
            continue
        slot = omd["slots"].get(nid)
        if slot is not None:
            slot.pop("oos", None)
            slot["dirty"] = False
            slot["bitmapUuid"] = 0


def observe_syncs(world, node, res):
    """A status read of res: count it as an observation of every resync it takes part in."""
    if res.get("sync"):
        res["sync"]["observed"] += 1
    for pid, conn in res["connections"].items():
        if conn.get("linked"):
            found = find_peer(world, node, res, pid, conn)
            if found and found[1].get("sync") and found[1]["sync"]["source"] == int(res["nodeId"]):
                found[1]["sync"]["observed"] += 1
