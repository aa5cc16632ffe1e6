"""What drbdsetup reports of the kernel: status (text and --json) and show (drbd.conf syntax).
"""

from .drbd_kernel import alive, dev0, device_kib, find_peer, has_quorum, held_open, md_of
from .metadata import JUST_CREATED
from .storage import now


def peer_view(world, node, res, pid, conn):
    """Connection and peer-device fields of one connection as drbdsetup reports them."""
    linked = conn.get("linked") and alive(node)
    found = find_peer(world, node, res, pid, conn) if linked else None
    if conn.get("standalone") or not conn.get("connect"):
        cstate = "StandAlone"
    elif linked and found:
        cstate = "Connected"
    else:
        cstate = "Connecting"
    view = {"connection": cstate, "peerRole": "Unknown", "replication": "Off", "peerDisk": "DUnknown",
            "percent": 100.0, "outOfSyncKiB": 0, "syncDetails": None}
    dev = dev0(res)
    md = md_of(node, dev)
    size = device_kib(md) if md else 0
    if cstate == "Connected":
        onode, ores, _ = found
        odev = dev0(ores)
        view["peerRole"] = ores.get("role", "Secondary")
        view["peerDisk"] = odev["diskState"] if odev else "Diskless"
        view["replication"] = "Established"
        mine, theirs = res.get("sync"), ores.get("sync")
        s, side = None, None
        if mine and mine["source"] == int(pid):
            s, side = mine, "SyncTarget"
        elif theirs and theirs["source"] == int(res["nodeId"]):
            s, side = theirs, "SyncSource"
        elif mine:
            s, side = mine, "PausedSyncT"
        elif theirs and dev and dev["diskState"] == "UpToDate":
            s, side = theirs, "PausedSyncS"
        if s:
            frac = min(s["done"], 0.999)
            total = size
            view["replication"] = side
            view["percent"] = round(frac * 100.0, 2)
            view["outOfSyncKiB"] = int(total * (1.0 - frac))
            view["syncDetails"] = {"rs-total": total, "rs-dt-start-ms": int((now() - s["since"]) * 1000)}
    elif md and md["current"] == JUST_CREATED and dev and dev["diskState"] == "Inconsistent":
        view["percent"] = 100.0
    return view


def status_json(world, node, res):
    dev = dev0(res)
    devices = []
    for vnr, d in sorted(res.get("devices", {}).items(), key=lambda kv: int(kv[0])):
        md = md_of(node, d)
        voters = 1 + len(res["connections"])
        linked = sum(1 for c in res["connections"].values() if c.get("linked"))
        quorum = has_quorum(res) if res.get("options", {}).get("quorum", "off") != "off" else (1 + linked) * 2 > voters
        devices.append({
            "volume": int(vnr), "minor": d["minor"], "disk-state": d["diskState"], "client": False,
            "open": held_open(res), "quorum": quorum, "size": device_kib(md) if md else 0,
            "read": 0, "written": 0, "al-writes": 0, "bm-writes": 0, "upper-pending": 0, "lower-pending": 0})
    conns = []
    for pid, conn in sorted(res["connections"].items(), key=lambda kv: int(kv[0])):
        v = peer_view(world, node, res, pid, conn)
        pd = {"volume": 0, "replication-state": v["replication"], "peer-disk-state": v["peerDisk"],
              "peer-client": False, "resync-suspended": "no", "received": 0, "sent": 0,
              "out-of-sync": v["outOfSyncKiB"], "pending": 0, "unacked": 0,
              "has-sync-details": v["syncDetails"] is not None, "has-online-verify-details": False,
              "percent-in-sync": v["percent"]}
        if v["syncDetails"]:
            pd.update(v["syncDetails"])
        conns.append({"peer-node-id": int(pid), "name": conn.get("net", {}).get("_name", ""),
                      "connection-state": v["connection"], "congested": False, "peer-role": v["peerRole"],
                      "tls": False, "ap-in-flight": 0, "rs-in-flight": 0,
                      "peer_devices": [pd] if dev else []})
    return {"name": res["name"], "node-id": int(res["nodeId"]), "role": res.get("role", "Secondary"),
            "suspended": False, "suspended-user": False, "suspended-no-data": False,
            "suspended-fencing": False, "suspended-quorum": False, "force-io-failures": False,
            "write-ordering": "flush", "devices": devices, "connections": conns}


def status_text(world, node, res):
    lines = ["%s role:%s" % (res["name"], res.get("role", "Secondary"))]
    for d in res.get("devices", {}).values():
        lines.append("  disk:%s" % d["diskState"])
    for pid, conn in sorted(res["connections"].items(), key=lambda kv: int(kv[0])):
        v = peer_view(world, node, res, pid, conn)
        name = conn.get("net", {}).get("_name", "peer%s" % pid)
        if v["connection"] != "Connected":
            lines.append("  %s connection:%s" % (name, v["connection"]))
            continue
        lines.append("  %s role:%s" % (name, v["peerRole"]))
        if v["replication"] != "Established":
            lines.append("    replication:%s peer-disk:%s done:%.2f" % (v["replication"], v["peerDisk"], v["percent"]))
        else:
            lines.append("    peer-disk:%s" % v["peerDisk"])
    return "\n".join(lines) + "\n"


def q(v):
    return '"%s"' % v


STRING_NET_OPTS = {"cram-hmac-alg", "shared-secret", "verify-alg", "csums-alg", "integrity-alg", "_name",
                   "transport"}


def show_text(r):
    """`drbdsetup show <res>`: the kernel's configuration in drbd.conf syntax (as drbdadm parses it)."""
    lines = ['resource %s {' % q(r["name"])]
    if r.get("options"):
        lines.append("    options {")
        for k, v in r["options"].items():
            lines.append("        %-16s\t%s;" % (k, v))
        lines.append("    }")
    lines.append("    _this_host {")
    lines.append("        node-id\t\t\t%d;" % int(r["nodeId"]))
    for vnr, d in sorted(r["devices"].items(), key=lambda kv: int(kv[0])):
        lines.append("        volume %s {" % vnr)
        lines.append("            device\t\t\tminor %d;" % int(d["minor"]))
        if d["disk"]:
            lines.append("            disk\t\t\t%s;" % q(d["disk"]))
            lines.append("            meta-disk\t\t\t%s;" % ("internal" if d["metaDisk"] in (None, d["disk"]) else q(d["metaDisk"])))
            if d.get("diskOptions"):
                lines.append("            disk {")
                for k, v in d["diskOptions"].items():
                    lines.append("                %-16s\t%s;" % (k, v))
                lines.append("            }")
        else:
            lines.append("            disk\t\t\tnone;")
        lines.append("        }")
    lines.append("    }")
    for pid, c in sorted(r["connections"].items(), key=lambda kv: int(kv[0])):
        lines.append("    connection {")
        lines.append("        _peer_node_id %s;" % pid)
        for p in c["paths"]:
            lines.append("        path {")
            lines.append("            _this_host %s;" % p["local"].replace("ipv4:", "ipv4 ", 1))
            lines.append("            _remote_host %s;" % p["remote"].replace("ipv4:", "ipv4 ", 1))
            lines.append("        }")
        if c["net"]:
            lines.append("        net {")
            for k, v in c["net"].items():
                if k == "protocol" and v == "C":
                    continue
                lines.append("            %-16s\t%s;" % (k, q(v) if k in STRING_NET_OPTS else v))
            lines.append("        }")
        lines.append("    }")
    lines.append("}")
    return "\n".join(lines) + "\n\n"
