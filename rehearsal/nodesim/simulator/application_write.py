"""The application on a node and its DRBD device (`fleet write`, `fleet app-write`, `fleet app-close`):
opening /dev/drbdX for writing (auto-promote), one write request of the Primary (quorum, protocol C,
mirroring to SyncTargets, out-of-sync bits per 4 KiB block, a new data generation for peers that miss
it, dm-thin running out of space), closing it (auto-demote).

DRBD references (drbd-utils documentation/v9/drbdsetup-options.xml, the kernel's drbd/*.c):
  - auto-promote: "automatically promote a resource to primary role when one of its devices is
    mounted or opened for writing. As soon as all devices are unmounted or closed with no more
    remaining users, the role of the resource changes back to secondary. Automatic promotion only
    succeeds if the cluster state allows it (that is, if an explicit drbdadm primary command would
    succeed)"; "if a device is promoted explicitly (drbdadm primary), it also needs to be demoted
    explicitly". drbd_main.c drbd_open: a failed auto-promote logs "Auto-promote failed: %s (%d)"
    and the open for writing fails with EROFS.
  - what refuses a promotion (drbd_state.c is_valid_state, in that order): a connected Primary peer
    (SS_TWO_PRIMARIES, -1 "Multiple primaries not allowed by config"), no UpToDate data
    (SS_NO_UP_TO_DATE_DISK, -2), no quorum (SS_NO_QUORUM, -25 "No quorum"). DRBD also promotes a
    node whose own disk is not UpToDate while a connected peer's is; the simulation does not (the
    application only opens a device whose local disk is UpToDate).
  - quorum / on-no-quorum io-error: "If a primary node should execute a write request, but the
    cluster partition has lost quorum, it will freeze IO or reject the write request with an error";
    drbd_req.c completes such a write with -EIO (drbd_req_complete: `m->error = ok && quorum ? 0 :
    -EIO`) AFTER it was submitted to the local disk and sent to the connected peers: a Primary that
    lost quorum acknowledges nothing, but its disk (and those of the peers in its partition) may
    hold the write. A Secondary cannot promote without quorum, so then nothing is written at all.
  - protocol C: "Writes to the DRBD device complete as soon as they have reached the local and all
    remote disks"; drbd_req.c drbd_req_complete: "report success when at least one of the
    operations succeeded", so a write whose local disk failed (and detached) is still acknowledged
    when a peer took it.
  - which peers get the data: drbd_req.c drbd_should_do_remote: an UpToDate peer, or an Inconsistent
    one with replication in a sync state (a SyncTarget gets application writes mirrored); the others
    (drbd_should_send_out_of_sync: Outdated peers; unconnected or diskless ones by their bitmap) get
    out-of-sync bits. The peers that took the write learn who else did (P_PEER_ACK,
    drbd_receiver.c got_peer_ack -> drbd_set_sync): each holder clears the bits of the written blocks
    for the other holders and sets them for the nodes that missed it.
  - may_do_writes (drbd_req.c): without an UpToDate disk, local or connected, "IO ERROR: neither
    local nor remote data": nothing is written.
"""

import hashlib
import os
import time

from .dm_thin import thin_allocate
from .drbd_kernel import (BLOCK_KIB, alive, dev0, device_kib, find_peer, has_quorum, held_open, io_error_detach,
                          kernel_resources, md_of)
from .metadata import new_uuid
from .storage import kernel_event, now


# drbd-headers drbd_strings.c __error_messages, by enum drbd_state_rv
STATE_ERRORS = {-1: "Multiple primaries not allowed by config", -2: "Need access to UpToDate data",
                -25: "No quorum"}


def new_content(old, writer, seq):
    return hashlib.sha256(("%s|%s|%d|%d" % (old, writer, seq, time.time_ns())).encode()).hexdigest()[:16]


def block_content(content, index):
    """The checksum of block `index` as one write leaves it: unique per write and block."""
    return hashlib.sha256(("%s|%d" % (content, index)).encode()).hexdigest()[:16]


def device_name(res):
    d = dev0(res)
    return "/dev/drbd%d" % int(d["minor"]) if d else "/dev/drbd"


def connected_peers(world, node, res):
    """[(node-id, (peer node, peer resource, connection back) or None)] of every connection."""
    peers = []
    for pid, conn in sorted(res["connections"].items(), key=lambda kv: int(kv[0])):
        found = find_peer(world, node, res, pid, conn) if conn.get("linked") else None
        peers.append((int(pid), found))
    return peers


def promotion_refused(node, res, peers):
    """The enum drbd_state_rv that refuses promoting res (see the module docstring), or None."""
    if any(found and found[1].get("role") == "Primary" for _, found in peers):
        return -1
    d = dev0(res)
    if d is None or md_of(node, d) is None or d["diskState"] != "UpToDate":
        return -2
    if not has_quorum(res):
        return -25
    return None


def open_for_write(node, res, peers):
    """The application opens the device for writing; None, or why the open fails (EROFS). A
    Secondary is auto-promoted (nothing else changes: the open itself writes nothing)."""
    if res.get("role") == "Primary":
        return None
    name = device_name(res)
    if res.get("options", {}).get("auto-promote") == "no":
        return "open(%s) for writing: Read-only file system (Secondary, auto-promote no)" % name
    rv = promotion_refused(node, res, peers)
    if rv is not None:
        kernel_event(node, "drbd %s: Auto-promote failed: %s (%d)" % (res["name"], STATE_ERRORS[rv], rv))
        d = dev0(res)
        return "open(%s) for writing: Read-only file system (auto-promote failed: %s (%d); local disk %s%s)" % (
            name, STATE_ERRORS[rv], rv, d["diskState"] if d else "Diskless",
            ", no quorum" if not has_quorum(res) else "")
    res["role"] = "Primary"
    return None


def close_device(res, still_open):
    """The last opener closed the device: auto-demote, unless promoted explicitly (drbdadm primary)."""
    if not still_open and res.get("role") == "Primary" and not res.get("explicitPrimary"):
        res["role"] = "Secondary"


def write_request(world, node, res, peers, end_kib, blocks_of):
    """One write of the Primary node. end_kib: how far from offset 0 the write reaches (what a thin LV
    maps); blocks_of(content) -> {block index: checksum} of the write, or None for the whole-device
    content of `fleet write`. Returns a dict: issued (whether it reached any disk), ok (acknowledged),
    error, content, blocks, holders [(node, res, dev, md)], replicatedTo."""
    d = dev0(res)
    md = md_of(node, d)
    local = md is not None and d["diskState"] == "UpToDate"
    mirror, missed = [], []  # peers that get the data; node-ids that get out-of-sync bits
    for pid, found in peers:
        if found is None:
            missed.append(pid)
            continue
        onode, ores, _ = found
        od = dev0(ores)
        omd = md_of(onode, od)
        if omd is not None and (od["diskState"] == "UpToDate" or od["diskState"] == "Inconsistent"):
            mirror.append((onode, ores, od, omd))
        else:
            missed.append(pid)
    result = {"issued": False, "ok": False, "error": None, "content": None, "blocks": {}, "holders": [],
              "replicatedTo": []}
    size = device_kib(md) if md else max((device_kib(m[3]) for m in mirror), default=0)
    if end_kib > size:
        # A block device ends at its size: a write past it fails (the kernel's bio check) before DRBD sees it.
        result["error"] = "write beyond the end of the device (%d KiB of %d KiB)" % (end_kib, size)
        return result
    if not local and not any(m[2]["diskState"] == "UpToDate" for m in mirror):
        kernel_event(node, "drbd %s/0 drbd%s: IO ERROR: neither local nor remote data"
                     % (res["name"], d["minor"] if d else "?"))
        result["error"] = "I/O error: neither local nor remote UpToDate data"
        return result
    quorum = has_quorum(res)
    seq = int((md or mirror[0][3]).get("writeSeq", 0)) + 1
    content = new_content((md or mirror[0][3]).get("checksum"), node["instanceId"], seq)
    blocks = blocks_of(content)
    holders = []
    if local and thin_allocate(node, d["disk"], data_kib=end_kib):
        holders.append((node, res, d, md))
    else:
        if local:
            io_error_detach(node, res, d, "drbd_request_endio")
        missed.append(int(res["nodeId"]))  # the peers keep bits for the writer's own disk
    for onode, ores, od, omd in mirror:
        if thin_allocate(onode, od["disk"], data_kib=end_kib):
            holders.append((onode, ores, od, omd))
        else:
            io_error_detach(onode, ores, od, "drbd_peer_request_endio")
            missed.append(int(ores["nodeId"]))
    old_current = md["current"] if md is not None else (holders[0][3]["current"] if holders else None)
    for hnode, hres, hd, hmd in holders:
        hmd["checksum"] = content
        hmd["writtenKiB"] = max(int(hmd.get("writtenKiB", 0)), end_kib)
        hmd["writeSeq"] = seq
        if blocks:
            hmd.setdefault("blocks", {}).update({str(b): c for b, c in blocks.items()})
    if md is not None:
        md["writeSeq"] = seq
    holder_ids = {int(h[1]["nodeId"]) for h in holders}
    newly = False
    for hnode, hres, hd, hmd in holders:
        own = int(hres["nodeId"])
        for nid in missed:  # bits for the nodes that missed it (the Primary's bitmap, peer acks on the others)
            if nid == own:
                continue
            slot = hmd["slots"].setdefault(str(nid), {"bitmapUuid": 0})
            slot["dirty"] = True
            if blocks:
                slot["oos"] = sorted(set(slot.get("oos", [])) | set(blocks))
            if not slot.get("bitmapUuid") and hmd["current"] == old_current:
                newly = True
        for nid in holder_ids - {own}:  # those that took it are in sync for these blocks
            slot = hmd["slots"].get(str(nid))
            if slot is not None and blocks and slot.get("oos"):
                slot["oos"] = sorted(set(slot["oos"]) - set(blocks))
    # A Primary that lost a peer starts a new data generation on the first write after the loss (new
    # current UUID, the old one kept as that slot's bitmap UUID and in the history), so the later
    # handshake finds the peer's UUID and resyncs by bitmap. A write without quorum is no new
    # generation: it is acknowledged nowhere, and the node that lost quorum as Primary is the one to
    # be resynced (drbd_receiver.c RULE_LOST_QUORUM; see drbd_peers.handshake).
    if newly and quorum and holders:
        uuid = new_uuid()
        for hnode, hres, hd, hmd in holders:
            if hd["diskState"] != "UpToDate":
                continue  # a SyncTarget takes the new generation when its resync completes
            for nid in missed:
                slot = hmd["slots"].get(str(nid))
                if slot is not None and not slot.get("bitmapUuid"):
                    slot["bitmapUuid"] = hmd["current"]
            hmd["history"] = [hmd["current"], hmd["history"][0]]
            hmd["current"] = uuid
            follow_new_generation(world, hnode, hres, old_current, uuid)
    result.update(issued=bool(holders), content=content, blocks=blocks or {}, holders=holders,
                  replicatedTo=sorted(int(h[1]["nodeId"]) for h in holders if h[0] is not node))
    if not holders:
        result["error"] = "local write failed: thin pool out of data space (I/O error); disk detached"
    elif not quorum:
        result["error"] = ("I/O error: no quorum (on-no-quorum io-error): the write reached %s but is not"
                           " acknowledged" % ", ".join("node-id %s" % n for n in sorted(holder_ids)))
    else:
        result["ok"] = True  # local disk or a peer took it (a failed local disk detached meanwhile)
    return result


def follow_new_generation(world, node, res, old, uuid):
    """Resyncs this source feeds follow its new data generation (they complete onto it)."""
    nid = int(res["nodeId"])
    for pid, found in connected_peers(world, node, res):
        if found is None:
            continue
        s = found[1].get("sync")
        if s and s["source"] == nid and s["uuid"] == old:
            s["uuid"] = uuid
            tmd = md_of(found[0], dev0(found[1]))
            if tmd is not None and tmd.get("resync"):
                tmd["resync"]["uuid"] = uuid


def refused(msg, extra=None):
    r = {"ok": False, "error": msg, "_exit": 1}
    r.update(extra or {})
    return r


def resource_of(node, rname):
    """(resource, None) or (None, why the application cannot open the device)."""
    if not alive(node):
        return None, "the instance is terminated"
    res = kernel_resources(node).get(rname)
    if res is None or dev0(res) is None:
        return None, "resource %s is not up: no /dev/drbd device to open" % rname
    return res, None


def app_write(world, node, rname, percent):
    """`fleet write`: an application opens /dev/drbdX, writes the first `percent` of it (one content id
    for the whole device) and closes it again (auto-demote unless something else holds it open)."""
    fail = {"checksum": None, "writtenKiB": 0, "replicatedTo": []}
    res, why = resource_of(node, rname)
    if res is None:
        return refused(why, fail)
    if not 0 <= percent <= 100:
        return refused("percent must be within 0..100", fail)
    peers = connected_peers(world, node, res)
    why = open_for_write(node, res, peers)
    if why is not None:
        return refused(why, fail)
    md = md_of(node, dev0(res))
    size = device_kib(md) if md else 0
    w = write_request(world, node, res, peers, int(size * percent / 100.0) // 4 * 4, lambda content: None)
    close_device(res, held_open(res))
    if not w["ok"]:
        return refused(w["error"], dict(fail, replicatedTo=w["replicatedTo"]))
    written = max(int(h[3].get("writtenKiB", 0)) for h in w["holders"])
    return {"ok": True, "checksum": w["content"], "writtenKiB": int(md["writtenKiB"]) if md else written,
            "replicatedTo": w["replicatedTo"]}


def app_write_blocks(world, node, rname, first, count):
    """`fleet app-write`: the application opens /dev/drbdX (auto-promote) and writes blocks
    first..first+count-1 (4 KiB each) with new content; the device stays open (and Primary)."""
    res, why = resource_of(node, rname)
    empty = {"acknowledged": {}, "attempted": {}, "replicatedTo": [], "role": None}
    if res is None:
        return refused(why, empty)
    empty["role"] = res.get("role", "Secondary")
    if first < 0 or count < 1:
        return refused("blocks must be first >= 0, count >= 1", empty)
    peers = connected_peers(world, node, res)
    why = open_for_write(node, res, peers)
    if why is not None:
        return refused(why, empty)
    if not held_open(res):
        res["openByApplication"] = True
        res["opener"] = {"comm": "app", "pid": os.getpid(), "at": now()}
    indexes = range(first, first + count)
    w = write_request(world, node, res, peers, (first + count) * BLOCK_KIB,
                      lambda content: {i: block_content(content, i) for i in indexes})
    attempted = w["blocks"] if w["issued"] else {}
    out = {"ok": w["ok"], "error": w["error"], "acknowledged": attempted if w["ok"] else {},
           "attempted": attempted, "replicatedTo": w["replicatedTo"], "role": res.get("role", "Secondary")}
    if not w["ok"]:
        out["_exit"] = 1
    return out


def app_close(world, node, rname):
    """`fleet app-close`: the application closes the device (auto-demote); nothing when it is not open
    there or the node is terminated or the resource down (the kernel forgot the open)."""
    res = kernel_resources(node).get(rname) if alive(node) else None
    if res is None or not held_open(res):
        return {"closed": False, "role": res.get("role", "Secondary") if res else None}
    res["openByApplication"] = False
    res.pop("opener", None)
    close_device(res, False)
    return {"closed": True, "role": res.get("role", "Secondary")}
