"""drbdsetup commands that change the simulated kernel: one function per command, named in
DRBDSETUP_CHANGES. Each takes the drbdsetup.Request of the call (inside the fleet lock) and returns
the exit code; a refusal prints DRBD's "Failure: (N) ..." line (fail10). A command on a resource,
connection or minor that must exist is decorated with on_resource, on_connection or on_minor,
which refuse the call without it and hand the command what they found.
"""

import functools

from .application_write import connected_peers, promotion_refused
from .disks import device_info, device_size_kib
from .drbd_kernel import (allocate_slot, dev0, device_kib, drop_kernel, find_minor, find_peer, held_open, linked_disks,
                          md_of, opener_info, persist_md_flags)
from .drbd_resync import start_sync
from .metadata import JUST_CREATED, md_size_kib, new_uuid
from .output import err


def fail10(msg, res="", code=10):
    err(("%s: " % res if res else "") + "Failure: " + msg)
    return code


# drbd-utils user/v9/drbdsetup.c check_error: a refused state change prints "%s: State change failed:
# (%d) %s" (objname: the resource, or the minor of a minor command), then the kernel's info lines
# under "additional info from kernel:"; exit 17 for SS_NO_UP_TO_DATE_DISK (-2), 11 for the others
# (SS_DEVICE_IN_USE -12 "Device is held open by someone", drbd-headers drbd_strings.c).
STATE_CHANGE_EXIT = {-2: 17}
STATE_CHANGE_TEXT = {-1: "Multiple primaries not allowed by config", -2: "Need access to UpToDate data",
                     -12: "Device is held open by someone", -25: "No quorum"}


def state_change_failed(objname, rv, info=()):
    err("%s: State change failed: (%d) %s" % (objname, rv, STATE_CHANGE_TEXT[rv]))
    if info:
        err("additional info from kernel:")
        for line in info:
            err(line)
    return STATE_CHANGE_EXIT.get(rv, 11)


def data_accessible_elsewhere(req, r):
    """A connected peer has an UpToDate disk (drbd_state.c drbd_data_accessible, without this node's)."""
    for pid, conn in r["connections"].items():
        if not conn.get("linked"):
            continue
        found = find_peer(req.world, req.node, r, pid, conn)
        if found and dev0(found[1]) is not None and dev0(found[1])["diskState"] == "UpToDate":
            return True
    return False


def need_resource(rs, name):
    """The kernel resource `name`, or None after drbdsetup's "No such resource" (the caller exits 10)."""
    r = rs.get(name)
    if r is None:
        err("%s: No such resource" % name)
    return r


def on_resource(command):
    """A command on the resource RES (the first argument), called as command(req, r); without it,
    drbdsetup's "No such resource" (exit 10)."""
    @functools.wraps(command)
    def run(req):
        r = need_resource(req.resources, req.pos[0])
        return 10 if r is None else command(req, r)
    return run


def on_connection(command):
    """A command on the connection RES PEER_ID (the first two arguments), called as
    command(req, c); without it, DRBD's "(158) Unknown connection" (exit 10)."""
    @functools.wraps(command)
    def run(req):
        r = req.resources.get(req.pos[0])
        c = r["connections"].get(req.pos[1]) if r else None
        if c is None:
            return fail10("(158) Unknown connection", req.pos[0])
        return command(req, c)
    return run


def on_minor(command):
    """A command on the device MINOR (the first argument), called as command(req, r, vnr, d) with
    its resource, volume and device; without it, DRBD's "(127) Device minor not allocated" (exit 10)."""
    @functools.wraps(command)
    def run(req):
        r, vnr, d = find_minor(req.node, int(req.pos[0]))
        if r is None:
            return fail10("(127) Device minor not allocated", req.pos[0])
        return command(req, r, vnr, d)
    return run


def update_options(record, key, opts):
    """--set-defaults resets record[key] (DRBD's defaults: nothing set) before the options apply."""
    if opts.pop("set-defaults", None):
        record[key] = {}
    record[key].update(opts)
    return 0


def new_resource(req):
    """new-resource RES NODE_ID [options]: a resource (again: its options updated)."""
    rs, pos, opts = req.resources, req.pos, req.opts
    name, nid = pos[0], int(pos[1])
    r = rs.get(name)
    if r is not None:
        if int(r["nodeId"]) != nid:
            return fail10("(162) Invalid configuration request", name)
        r["options"].update(opts)
        return 0
    rs[name] = {"name": name, "nodeId": nid, "options": opts, "role": "Secondary", "devices": {},
                "connections": {}, "sync": None}
    return 0


@on_resource
def resource_options(req, r):
    """resource-options RES [--set-defaults] [options]."""
    return update_options(r, "options", req.opts)


@on_resource
def new_minor(req, r):
    """new-minor RES MINOR VOLUME: a device without a disk."""
    node, pos = req.node, req.pos
    name, minor, vnr = pos[0], int(pos[1]), pos[2]
    if find_minor(node, minor)[0] is not None or vnr in r["devices"]:
        return fail10("(161) Minor or volume exists already (delete it first)", name)
    r["devices"][vnr] = {"minor": minor, "disk": None, "metaDisk": None, "diskState": "Diskless",
                         "diskOptions": {}}
    return 0


@on_minor
def del_minor(req, r, vnr, d):
    """del-minor MINOR: a device without a disk goes away."""
    if d["disk"]:
        return fail10("(124) Device is attached to a disk (use detach first)", req.pos[0])
    del r["devices"][vnr]
    return 0


@on_resource
def new_peer(req, r):
    """new-peer RES PEER_ID [net options]: a connection (and a bitmap slot on attached disks)."""
    node, pos, opts = req.node, req.pos, req.opts
    name, pid = pos[0], pos[1]
    if pid in r["connections"]:
        return fail10("(102) Connection already exists", name)
    if int(pid) == int(r["nodeId"]):
        return fail10("(171) Invalid peer-node-id", name)
    for d in r["devices"].values():
        md = md_of(node, d)
        if md is not None and not allocate_slot(md, pid):
            return fail10("(175) Not enough free bitmap slots", name)
    r["connections"][pid] = {"net": opts, "paths": [], "connect": False, "linked": False}
    return 0


@on_connection
def net_options(req, c):
    """net-options RES PEER_ID [--set-defaults] [net options]."""
    return update_options(c, "net", req.opts)


@on_connection
def new_path(req, c):
    """new-path RES PEER_ID LOCAL REMOTE."""
    pos = req.pos
    path = {"local": pos[2], "remote": pos[3]}
    if path in c["paths"]:
        return fail10("(102) Path already exists", pos[0])
    c["paths"].append(path)
    return 0


@on_connection
def del_path(req, c):
    """del-path RES PEER_ID LOCAL REMOTE: the connection loses its link."""
    pos = req.pos
    path = {"local": pos[2], "remote": pos[3]}
    if path not in c["paths"]:
        return fail10("(158) Unknown path", pos[0])
    c["paths"].remove(path)
    c["linked"] = False
    return 0


@on_connection
def connect(req, c):
    """connect RES PEER_ID: the connection may link (see drbd_peers.settle)."""
    if not c["paths"]:
        return fail10("(145) No path configured", req.pos[0])
    c["connect"] = True
    c.pop("standalone", None)
    return 0


@on_connection
def disconnect(req, c):
    """disconnect RES PEER_ID."""
    c["connect"] = False
    c["linked"] = False
    return 0


@on_connection
def del_peer(req, c):
    """del-peer RES PEER_ID: the connection goes away (its bitmap slot stays)."""
    pos = req.pos
    r = req.resources[pos[0]]
    del r["connections"][pos[1]]
    if r.get("sync") and r["sync"]["source"] == int(pos[1]):
        pass  # progress_syncs picks another source or pauses
    return 0


@on_resource
def forget_peer(req, r):
    """forget-peer RES PEER_ID: frees the peer's bitmap slot on attached disks."""
    node, pos = req.node, req.pos
    pid = pos[1]
    if pid in r["connections"]:
        return fail10("(125) Device has a net-config (use disconnect first)", pos[0])
    for d in r["devices"].values():
        md = md_of(node, d)
        if md is None:
            continue
        if pid not in md["slots"] or int(pid) == int(r["nodeId"]):
            return fail10("(171) Invalid peer-node-id", pos[0])
        del md["slots"][pid]
    return 0


def attach(req):
    """attach MINOR DISK META_DISK [disk options]: the disk state from its metadata."""
    ctx, node, pos, opts = req.ctx, req.node, req.pos, req.opts
    minor, disk, meta = int(pos[0]), ctx.node_path(pos[1]), ctx.node_path(pos[2])
    r, vnr, d = find_minor(node, minor)
    if r is None:
        return fail10("(127) Device minor not allocated", str(minor))
    if d["disk"]:
        return fail10("(124) Device is attached to a disk (use detach first)", str(minor))
    kind, _ = device_info(node, disk)
    if kind is None:
        return fail10("(104) Can not open backing device.", str(minor))
    md = node["md"].get(disk)
    if md is None:
        return fail10("(119) No valid meta-data signature found.\n\n"
                      "\t==> Use 'drbdadm create-md res' to initialize meta-data area. <==", str(minor))
    if md["nodeId"] not in (-1, int(r["nodeId"])):
        return fail10("(176) The node-id in the meta data (%d) differs from this node's node-id (%d)"
                      % (md["nodeId"], int(r["nodeId"])), str(minor))
    for pid in r["connections"]:
        if not allocate_slot(md, pid):
            return fail10("(175) Not enough free bitmap slots", str(minor))
    md["nodeId"] = int(r["nodeId"])
    d["disk"], d["metaDisk"] = disk, meta
    d["diskOptions"] = opts
    for c in r["connections"].values():
        c["linked"] = False  # a newly attached disk makes DRBD handshake again
    if md["current"] == JUST_CREATED or not md["consistent"]:
        d["diskState"] = "Inconsistent"
    elif md["upToDate"]:
        d["diskState"] = "Consistent"
    else:
        d["diskState"] = "Outdated"
    return 0


@on_minor
def disk_options(req, r, vnr, d):
    """disk-options MINOR [--set-defaults] [disk options]."""
    return update_options(d, "diskOptions", req.opts)


@on_minor
def detach(req, r, vnr, d):
    """detach MINOR: the metadata keeps what the disk state was. A Primary may only go Diskless while a
    connected peer has UpToDate data (drbd_state.c is_valid_state "prevent detach or disconnect while
    primary": SS_NO_UP_TO_DATE_DISK; drbd_nl.c adm_detach then adds the openers); with one it detaches
    and stays Primary, diskless (its application's writes go to the peers)."""
    if (r.get("role") == "Primary" and d["diskState"] == "UpToDate" and "force" not in req.opts
            and not data_accessible_elsewhere(req, r)):
        return state_change_failed(req.pos[0], -2, opener_info(r))
    persist_md_flags(req.node, {"devices": {vnr: d}})
    d.update({"disk": None, "metaDisk": None, "diskState": "Diskless"})
    r["sync"] = None
    return 0


def down(req):
    """down RES|all: resources go away, their metadata keeps the disk states."""
    node, rs, pos = req.node, req.resources, req.pos
    name = pos[0]
    if name == "all":
        for r in sorted(rs.values(), key=lambda r: r["name"]):
            if held_open(r):
                return refuse_held_open(r, ["failed to demote"])
        drop_kernel(node)
        return 0
    r = rs.get(name)
    if r is None:
        return 0
    if held_open(r):
        return refuse_held_open(r, ["failed to demote"])
    persist_md_flags(node, r)
    del rs[name]
    return 0


def refuse_held_open(r, info=()):
    """drbd_state.c is_valid_state: demoting a Primary whose device is open for writing is
    SS_DEVICE_IN_USE; drbd_nl.c (drbd_adm_set_role, drbd_adm_down) adds the openers (and "failed to
    demote" for down) as info. Terminating or rebooting the node drops the open with the kernel."""
    return state_change_failed(r["name"], -12, list(info) + opener_info(r))


@on_resource
def primary(req, r):
    """primary RES [--force]: needs UpToDate data, or --force (a new data generation)."""
    node, pos, opts = req.node, req.pos, req.opts
    d = dev0(r)
    if r.get("role") != "Primary":
        rv = promotion_refused(node, r, connected_peers(req.world, node, r))
        # --force overrides missing UpToDate data and quorum (drbd_nl.c drbd_set_role), not a Primary peer
        if rv is not None and (rv == -1 or "force" not in opts):
            return state_change_failed(pos[0], rv)
    if d is None or (d["diskState"] != "UpToDate" and md_of(node, d) is None):
        return state_change_failed(pos[0], -2)
    if d["diskState"] != "UpToDate":
        md = md_of(node, d)
        md["history"] = [md["current"], md["history"][0]]
        md["current"] = new_uuid()
        md["consistent"] = md["upToDate"] = True
        d["diskState"] = "UpToDate"
    r["role"] = "Primary"
    r["explicitPrimary"] = True  # drbd_nl.c EXPLICIT_PRIMARY: closing the device does not demote it
    return 0


@on_resource
def secondary(req, r):
    """secondary RES: refused while the application holds the device open (SS_DEVICE_IN_USE)."""
    if r.get("role") == "Primary" and held_open(r):
        return refuse_held_open(r)
    r["role"] = "Secondary"
    r.pop("explicitPrimary", None)
    return 0


@on_minor
def new_current_uuid(req, r, vnr, d):
    """new-current-uuid MINOR [--clear-bitmap]: a new data generation, here and on the connected
    peers of the same one."""
    w, node, pos, opts = req.world, req.node, req.pos, req.opts
    md = md_of(node, d)
    if md is None:
        return fail10("(138) Device does not have a disk", pos[0])
    old = md["current"]
    uuid = new_uuid()
    targets = [(node, r, d, md)]
    for _, onode, ores, od, omd in linked_disks(w, node, r):
        if omd is not None and omd["current"] == old and not ores.get("sync"):
            targets.append((onode, ores, od, omd))
    for tnode, tres, td, tmd in targets:
        tmd["history"] = [tmd["current"], tmd["history"][0]]
        tmd["current"] = uuid
        if "clear-bitmap" in opts or td["diskState"] in ("UpToDate", "Consistent"):
            tmd["consistent"] = tmd["upToDate"] = True
            td["diskState"] = "UpToDate"
            for s in tmd["slots"].values():
                s["bitmapUuid"] = 0
                if "clear-bitmap" in opts:  # "Clears the sync bitmap in addition to generating a new current UUID"
                    s.pop("oos", None)
                    s["dirty"] = False
    if "clear-bitmap" in opts:
        node.setdefault("counters", {}).setdefault("syncSkip", 0)
        node["counters"]["syncSkip"] += 1
    return 0


def capacity_kib(node, dev, md):
    """What the backing device holds after its internal metadata, as DRBD reexamines it on resize
    (the backing LV may have grown since create-md)."""
    size = device_size_kib(node, dev["disk"])
    md["sizeKiB"] = max(int(md["sizeKiB"]), size - md_size_kib(size, md["maxPeers"]))
    return int(md["sizeKiB"])


@on_minor
def resize(req, r, vnr, d):
    """resize MINOR [--assume-peer-has-space] [--assume-clean]: "Reexamine the size of the lower-level
    devices of a replicated device on all nodes" (drbdsetup(8)). The new size is the smallest
    capacity of this node and its connected peers; a peer that is not connected keeps the current
    size unless --assume-peer-has-space (the harsher reading of the man page: without the option an
    unconnected peer limits the size). Refused during a resync (drbd_nl.c drbd_adm_resize,
    ERR_RESIZE_RESYNC) and, without --size, when a backing device shrank (ERR_IMPLICIT_SHRINK).
    The added space is resynchronized to the connected peers (they are SyncTarget, Inconsistent,
    until it is done) unless --assume-clean; a Primary peer is not made a SyncTarget (the LINBIT
    guide: the new section is synchronized from the primary node to the secondary)."""
    node, opts, pos = req.node, req.opts, req.pos
    md = md_of(node, d)
    if md is None:
        return fail10("(138) Device does not have a disk (or the disk is diskless)", pos[0])
    peers = list(linked_disks(req.world, node, r))
    if r.get("sync") or any(p[2].get("sync") and p[2]["sync"]["source"] == int(r["nodeId"]) for p in peers):
        return fail10("(130) Resize not allowed during resync.", pos[0])
    current = device_kib(md)
    size = capacity_kib(node, d, md)
    for pid, onode, ores, odev, omd in peers:
        if omd is not None:
            size = min(size, capacity_kib(onode, odev, omd))
    unconnected = len(r["connections"]) - len([p for p in peers if p[4] is not None])
    if unconnected and "assume-peer-has-space" not in opts:
        size = min(size, current)
    if size < current:
        return fail10("(170) Implicit device shrinking not allowed. See kernel log.", pos[0])
    if size == current:
        return 0
    md["laSizeKiB"] = size
    for pid, onode, ores, odev, omd in peers:
        if omd is not None:
            omd["laSizeKiB"] = size
            if ("assume-clean" not in opts and odev["diskState"] == "UpToDate" and md["current"] == omd["current"]
                    and ores.get("role") != "Primary"):
                start_sync(req.world, onode, ores, node, r, full=False)
    return 0


def accept(req):
    """Accepted, nothing changes in the simulation."""
    return 0


DRBDSETUP_CHANGES = {
    "new-resource": new_resource, "resource-options": resource_options, "new-minor": new_minor,
    "del-minor": del_minor, "new-peer": new_peer, "net-options": net_options, "new-path": new_path,
    "del-path": del_path, "connect": connect, "disconnect": disconnect, "del-peer": del_peer,
    "forget-peer": forget_peer, "attach": attach, "disk-options": disk_options, "detach": detach,
    "down": down, "primary": primary, "secondary": secondary, "new-current-uuid": new_current_uuid,
    "peer-device-options": accept, "invalidate": accept, "invalidate-remote": accept, "resize": resize,
    "suspend-io": accept, "resume-io": accept, "outdate": accept, "pause-sync": accept, "resume-sync": accept,
    "verify": accept, "wait-connect-resource": accept, "wait-sync-resource": accept,
}
