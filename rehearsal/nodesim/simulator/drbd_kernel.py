"""The DRBD kernel module's resources on a node: devices, connections and where a connection
points; what the metadata keeps when a disk goes away (detach, down, I/O error).
"""

import re

from .storage import kernel_event


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
