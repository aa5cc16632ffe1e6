"""The DRBD kernel module's resources on a node: devices, connections and where a connection
points (security-group ports and partitioned links drop it); quorum; the application holding a
device open; what the metadata keeps when a disk goes away (detach, down, I/O error).
"""

import re
import time

from .storage import kernel_event


BLOCK_KIB = 4  # the unit of an application write (`fleet app-write`) and of DRBD's bitmap (4 KiB per bit)


def alive(node):
    return not node.get("terminated")


def kernel_resources(node):
    return node.setdefault("kernel", {}).setdefault("resources", {})


def module_loaded(node):
    return node.get("module") is not None


def dev0(res):
    devs = res.get("devices", {})
    if "0" in devs:
        return devs["0"]
    return next(iter(devs.values())) if devs else None


def md_of(node, device):
    if device is None or not device.get("disk"):
        return None
    return node["md"].get(device["disk"])


def device_kib(md):
    """The replicated device's size: the size the peers agreed on (la-size, drbd_nl.c
    drbd_determine_dev_size), else, before any peer was seen, what this backing device holds
    after its internal metadata (md["sizeKiB"], its capacity)."""
    return int(md.get("laSizeKiB") or md["sizeKiB"])


def find_minor(node, minor):
    for res in kernel_resources(node).values():
        for vnr, d in res.get("devices", {}).items():
            if int(d["minor"]) == int(minor):
                return res, vnr, d
    return None, None, None


def allocate_slot(md, peer_id):
    if str(peer_id) in md["slots"]:
        return True
    if len(md["slots"]) >= md["maxPeers"]:
        return False
    md["slots"][str(peer_id)] = {"bitmapUuid": 0}
    return True


def parse_addr(a):
    m = re.match(r"^(?:ipv4:)?([0-9.]+):([0-9]+)$", a or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def link_key(ip_a, ip_b):
    """The one spelling of an unordered pair of node IPs (`fleet network --blocked-links`)."""
    return "-".join(sorted((ip_a, ip_b)))


def link_blocked(world, ip_a, ip_b):
    """Whether DRBD traffic between the two addresses is dropped both ways (a partition)."""
    return link_key(ip_a, ip_b) in world.fleet.get("blockedLinks", [])


def find_peer(world, node, res, peer_id, conn):
    """The (node, resource, connection back) a connection points at, or None."""
    if not conn.get("paths"):
        return None
    lip, lport = parse_addr(conn["paths"][0]["local"])
    rip, rport = parse_addr(conn["paths"][0]["remote"])
    if lip != node["ip"]:
        return None
    if rport in world.fleet.get("blockedPorts", []) or lport in world.fleet.get("blockedPorts", []):
        return None  # a security group drops the port between the nodes: no handshake, ever
    if link_blocked(world, lip, rip):
        return None  # a partition between the two nodes: packets dropped both ways
    for other in world.all_nodes():
        if other is node or not alive(other) or other["ip"] != rip:
            continue
        ores = kernel_resources(other).get(res["name"])
        if not ores or int(ores["nodeId"]) != int(peer_id):
            continue
        back = ores["connections"].get(str(res["nodeId"]))
        if not back or not back.get("paths"):
            return None
        bl = parse_addr(back["paths"][0]["local"])
        br = parse_addr(back["paths"][0]["remote"])
        if bl != (rip, rport) or br != (lip, lport):
            return None
        return other, ores, back
    return None


def has_quorum(res):
    """The resource's quorum option: a number (what the renderer writes, `quorum 2;` for three
    nodes): this node and the peers it is connected to are at least that many; `majority`: more
    than half of the nodes the running config knows (itself and its connections). Without a quorum
    option DRBD's default is quorum off. drbd.conf(5) quorum: "a node in the cluster partition can
    only be promoted to primary if the cluster partition has quorum"; its exception for peers that
    are all marked Outdated ("a partition always has quorum") is not modelled: the harsher reading,
    quorum is lost more often."""
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


def held_open(res):
    """Whether the application holds a device of the resource open for writing."""
    return bool(res.get("openByApplication"))


def opener_info(res):
    """The kernel's opener lines after a refused state change (drbd_nl.c put_device_opener_info:
    "/dev/drbd%d open_cnt:%d, writable:%d; list of openers follows", then "drbd%d opened by %s
    (pid %d) at %04ld-%02d-%02d %02d:%02d:%02d.%03ld"); none when nothing holds it open."""
    if not held_open(res):
        return []
    o = res.get("opener") or {}
    at = float(o.get("at", 0.0))
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(at)) + ".%03d" % int((at % 1) * 1000)
    lines = []
    for d in sorted(res.get("devices", {}).values(), key=lambda d: int(d["minor"])):
        lines.append("/dev/drbd%d open_cnt:1, writable:1; list of openers follows" % int(d["minor"]))
        lines.append("drbd%d opened by %s (pid %d) at %s" % (int(d["minor"]), o.get("comm", "app"),
                                                             int(o.get("pid", 1)), stamp))
    return lines


def data_md(node, res):
    """The metadata record of what the node's DRBD backing device holds: that of the resource's disk
    when it is up and attached, else the node's first metadata record (None without any)."""
    d = dev0(res) if res is not None else None
    if d is not None and d.get("disk") in node["md"]:
        return node["md"][d["disk"]]
    mds = sorted(node["md"].items())
    return mds[0][1] if mds else None


def linked_disks(world, node, res, first=None):
    """(node-id, peer node, peer resource, peer device, peer metadata) of every linked connection whose
    peer is found, by node-id (node-id `first` before the others); device and metadata may be None."""
    order = sorted(res["connections"].items(), key=lambda kv: (int(kv[0]) != first, int(kv[0])))
    for pid, conn in order:
        if not conn.get("linked"):
            continue
        found = find_peer(world, node, res, pid, conn)
        if found:
            onode, ores, _ = found
            odev = dev0(ores)
            yield int(pid), onode, ores, odev, md_of(onode, odev)


def persist_md_flags(node, res):
    """What the metadata remembers of an attached device when it is detached or goes down."""
    for d in res.get("devices", {}).values():
        md = md_of(node, d)
        if md is None:
            continue
        s = d["diskState"]
        md["consistent"] = s in ("UpToDate", "Consistent", "Outdated")
        md["upToDate"] = s in ("UpToDate", "Consistent")


def drop_kernel(node):
    for res in kernel_resources(node).values():
        persist_md_flags(node, res)
    node["kernel"]["resources"] = {}


def io_error_detach(node, res, dev, where):
    """DRBD 9's default on-io-error detach (drbd.conf(5) disk section): a failed lower-level write
    makes the node drop its disk ("Local IO failed in %s. Detaching...", drbd_main.c
    __drbd_chk_io_error_), disk( UpToDate -> Failed -> Diskless ). Its metadata remembers an
    outdated disk (the write is missing there)."""
    md = md_of(node, dev)
    vnr = next((k for k, v in res.get("devices", {}).items() if v is dev), "0")
    prefix = "drbd %s/%s drbd%s: " % (res["name"], vnr, dev.get("minor"))
    kernel_event(node, prefix + "Local IO failed in %s. Detaching..." % where)
    kernel_event(node, prefix + "disk( %s -> Failed )" % dev["diskState"])
    kernel_event(node, prefix + "disk( Failed -> Diskless )")
    if md is not None:
        md["consistent"] = md["consistent"] or dev["diskState"] in ("UpToDate", "Consistent", "Outdated")
        md["upToDate"] = False
    dev.update({"disk": None, "metaDisk": None, "diskState": "Diskless"})
    res["sync"] = None
