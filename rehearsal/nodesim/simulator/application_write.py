"""An application's write to /dev/drbdX (`fleet write`): quorum, auto-promote, protocol C,
out-of-sync bits and a new data generation for peers that miss it, dm-thin running out of space.
"""

import time

from .dm_thin import thin_allocate
from .drbd_kernel import alive, dev0, find_peer, io_error_detach, kernel_resources, md_of
from .metadata import new_uuid


def has_quorum(res):
    """quorum majority (the renderer's `quorum majority; on-no-quorum io-error;`): this node and
    the peers it is connected to are more than half of the configured nodes. Without a quorum
    option DRBD's default is quorum off."""
    q = res.get("options", {}).get("quorum", "off")
    voters = 1 + len(res["connections"])
    linked = sum(1 for c in res["connections"].values() if c.get("linked"))
    if q in ("off", None):
        return True
    if q == "majority":
        return (1 + linked) * 2 > voters
    if q == "all":
        return linked == len(res["connections"])
    try:
        return 1 + linked >= int(q)
    except ValueError:
        return (1 + linked) * 2 > voters


def new_content(old, writer, seq):
    import hashlib
    return hashlib.sha256(("%s|%s|%d|%d" % (old, writer, seq, time.time_ns())).encode()).hexdigest()[:16]


def app_write(world, node, rname, percent):
    """An application on node writes the first `percent` of /dev/drbdX (DRBD 9, protocol C)."""
    def fail(msg):
        return {"ok": False, "error": msg, "checksum": None, "writtenKiB": 0, "replicatedTo": [], "_exit": 1}

    if not alive(node):
        return fail("the instance is terminated")
    res = kernel_resources(node).get(rname)
    if res is None:
        return fail("resource %s is not up: no /dev/drbd device to open" % rname)
    d = dev0(res)
    md = md_of(node, d)
    if d is None or md is None or d["diskState"] != "UpToDate":
        return fail("local disk is %s: auto-promote needs UpToDate data ((-2) Need access to UpToDate data)"
                    % (d["diskState"] if d else "Diskless"))
    if not has_quorum(res):
        return fail("no quorum: auto-promote refused, I/O errors (on-no-quorum io-error)")
    peers = []
    for pid, conn in sorted(res["connections"].items(), key=lambda kv: int(kv[0])):
        found = find_peer(world, node, res, pid, conn) if conn.get("linked") else None
        if found and found[1].get("role") == "Primary":
            return fail("auto-promote failed: peer node-id %s is Primary (Multiple primaries not allowed by config)" % pid)
        peers.append((pid, found))
    if res.get("role") != "Primary" and res.get("options", {}).get("auto-promote") == "no":
        return fail("device is Secondary and auto-promote is off: open for write fails (Wrong medium type)")
    if not 0 <= percent <= 100:
        return fail("percent must be within 0..100")
    new_kib = int(md["sizeKiB"] * percent / 100.0) // 4 * 4
    seq = int(md.get("writeSeq", 0)) + 1
    content = new_content(md.get("checksum"), node["instanceId"], seq)
    holders, missed = [], []  # (node, res, dev, md) that took the write; node-ids that did not
    local_ok = thin_allocate(node, d["disk"], data_kib=new_kib)
    for pid, found in peers:
        if found is None:
            missed.append(int(pid))
            continue
        onode, ores, _ = found
        od = dev0(ores)
        omd = md_of(onode, od)
        if od is None or omd is None or od["diskState"] != "UpToDate" or ores.get("sync"):
            missed.append(int(pid))  # connected but not UpToDate: out-of-sync bits, resync covers it
            continue
        if thin_allocate(onode, od["disk"], data_kib=new_kib):
            holders.append((onode, ores, od, omd))
        else:
            io_error_detach(onode, ores, od, "drbd_peer_request_endio")
            missed.append(int(pid))
    if local_ok:
        holders.insert(0, (node, res, d, md))
    else:
        io_error_detach(node, res, d, "drbd_request_endio")
        missed.append(int(res["nodeId"]))
    old_current = md["current"]
    for hnode, hres, hd, hmd in holders:
        hmd["checksum"] = content
        hmd["writtenKiB"] = max(int(hmd.get("writtenKiB", 0)), new_kib)
        hmd["writeSeq"] = seq
    md["writeSeq"] = seq
    # Peers that missed the write: bits in their bitmap slot; a Primary that lost a peer starts a new
    # data generation (new current UUID, the old one kept as that slot's bitmap UUID and in the
    # history) on the first write after the loss, so the later handshake finds the peer's UUID and
    # resyncs by bitmap.
    newly = False
    for hnode, hres, hd, hmd in holders:
        for nid in missed:
            if nid == int(hres["nodeId"]):
                continue
            slot = hmd["slots"].setdefault(str(nid), {"bitmapUuid": 0})
            slot["dirty"] = True
            if not slot.get("bitmapUuid") and hmd["current"] == old_current:
                newly = True
    if newly and holders:
        uuid = new_uuid()
        for hnode, hres, hd, hmd in holders:
            for nid in missed:
                slot = hmd["slots"].get(str(nid))
                if slot is not None and not slot.get("bitmapUuid"):
                    slot["bitmapUuid"] = hmd["current"]
            hmd["history"] = [hmd["current"], hmd["history"][0]]
            hmd["current"] = uuid
    replicated = sorted(int(h[1]["nodeId"]) for h in holders if h[0] is not node)
    if not local_ok:
        return dict(fail("local write failed: thin pool out of data space (I/O error); disk detached"),
                    replicatedTo=replicated)
    return {"ok": True, "checksum": content, "writtenKiB": md["writtenKiB"], "replicatedTo": replicated}
