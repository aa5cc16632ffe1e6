"""Block devices of a node: what a disk or LV is and what signature is on it; the commands that
look at or overwrite them (findmnt, lsblk, blkid, wipefs, mkfs.ext4).
"""

import os
import re

from .output import err, out


def device_info(state, dev):
    """('disk'|'lv', record) for a node device path, or (None, None)."""
    if dev in state["disks"]:
        return "disk", state["disks"][dev]
    m = re.match(r"^/dev/([^/]+)/([^/]+)$", dev)
    if m:
        lv = state["lvm"]["lvs"].get("%s/%s" % (m.group(1), m.group(2)))
        if lv and lv["type"] != "thin-pool":
            return "lv", lv
    return None, None


def named_devices(ctx, state, raws):
    """Each device a command names, as (the name given, its node path, its record); the record is
    None when the node has no such device."""
    for raw in raws:
        dev = ctx.node_path(raw)
        yield raw, dev, device_info(state, dev)[1]


def device_size_kib(state, dev):
    kind, rec = device_info(state, dev)
    if kind is None:
        return 0
    return int(float(rec.get("sizeGiB", 1)) * 1024 * 1024)


def signature(state, dev):
    """What blkid -p finds on the device: None or a TYPE value."""
    kind, rec = device_info(state, dev)
    if kind is None:
        return None
    if dev in state["md"]:
        return "drbd"
    if kind == "disk" and dev in state["lvm"]["pvs"]:
        return "LVM2_member"
    return rec.get("signature")


def cmd_findmnt(ctx):
    args = list(ctx.args)
    target = next((a for a in reversed(args) if a.startswith("/")), None)
    if target == "/":
        if "-n" in args or "--noheadings" in args:
            out("/dev/nvme0n1p1")
        else:
            out("SOURCE\n/dev/nvme0n1p1")
        return 0
    return 1


def cmd_lsblk(ctx):
    node = ctx.read_state()
    args = list(ctx.args)
    dev = next((a for a in reversed(args) if a.startswith("/")), None)
    columns = args[args.index("-o") + 1] if "-o" in args and args.index("-o") + 1 < len(args) else "KNAME,TYPE"
    if columns == "SIZE":
        # `lsblk -b -d -n -o SIZE DEVICE`: the device's size in bytes (lsblk(8): -b prints sizes in bytes).
        if dev is None or device_info(node, ctx.node_path(dev))[0] is None:
            err("lsblk: %s: not a block device" % dev)
            return 32
        size_kib = device_size_kib(node, ctx.node_path(dev))
        out("%d" % (size_kib * 1024) if "-b" in args else "%dG" % (size_kib // (1024 * 1024)))
        return 0
    noheadings = "-n" in args or "--noheadings" in args
    inverse = "-s" in args or "--inverse" in args
    rows = []
    if dev is not None:
        d = ctx.node_path(dev)
        if d == "/dev/nvme0n1p1":
            rows = [("nvme0n1p1", "part")] + ([("nvme0n1", "disk")] if inverse else [])
        elif d in node["disks"]:
            rows = [(os.path.basename(d), "disk")]
        else:
            err("lsblk: %s: not a block device" % dev)
            return 32
    else:
        for d in sorted(node["disks"]):
            rows.append((os.path.basename(d), "disk"))
            if node["disks"][d].get("root"):
                rows.append((os.path.basename(d) + "p1", "part"))
    if not noheadings:
        out("KNAME     TYPE")
    for k, t in rows:
        out("%s %s" % (k, t))
    return 0


def cmd_blkid(ctx):
    args = list(ctx.args)
    devs = [a for a in args if a.startswith("/")]
    export = "export" in args
    value = "value" in args
    node = ctx.read_state()
    import hashlib
    rc = 2
    for raw in devs:
        dev = ctx.node_path(raw)
        sig = signature(node, dev)
        if sig is None:
            continue
        rc = 0
        fields = {"ext4": [("UUID", "3ed2580d-9279-4fa0-895f-121406092834"), ("VERSION", "1.0"),
                           ("BLOCK_SIZE", "4096"), ("TYPE", "ext4"), ("USAGE", "filesystem")],
                  "xfs": [("UUID", "6b1c0a56-2f8e-4a3b-9b3d-0d6c7b1e2f3a"), ("BLOCK_SIZE", "4096"),
                          ("TYPE", "xfs"), ("USAGE", "filesystem")],
                  "LVM2_member": [("UUID", "pvsim-" + hashlib.sha1(dev.encode()).hexdigest()[:12]),
                                  ("VERSION", "LVM2 001"), ("TYPE", "LVM2_member"), ("USAGE", "raid")],
                  "drbd": [("VERSION", "v09"), ("TYPE", "drbd"), ("USAGE", "raid")]}.get(
                      sig, [("TYPE", sig), ("USAGE", "filesystem")])
        if export:
            out("DEVNAME=%s" % raw)
            for k, v in fields:
                out("%s=%s" % (k, v))
        elif value:
            want = args[args.index("-s") + 1] if "-s" in args else None
            for k, v in fields:
                if want is None or k == want:
                    out(v)
        else:
            out("%s: %s" % (raw, " ".join('%s="%s"' % kv for kv in fields)))
    return rc


def cmd_wipefs(ctx):
    args = list(ctx.args)
    devs = [a for a in args if a.startswith("/")]
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for raw in devs:
            dev = ctx.node_path(raw)
            sig = signature(node, dev)
            if "-a" in args or "--all" in args:
                if sig == "drbd":
                    del node["md"][dev]
                elif sig == "LVM2_member":
                    node["lvm"]["pvs"].pop(dev, None)
                elif dev in node["disks"]:
                    node["disks"][dev]["signature"] = None
                if sig:
                    out("%s: 2 bytes were erased at offset 0x00000438 (%s)" % (raw, sig))
            elif sig:
                out("DEVICE OFFSET TYPE UUID LABEL\n%s 0x438 %s" % (os.path.basename(raw), sig))
    return 0


def cmd_mkfs_ext4(ctx):
    devs = [a for a in ctx.args if a.startswith("/")]
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for raw, dev, rec in named_devices(ctx, node, devs):
            if rec is None:
                err("mke2fs: No such file or directory while trying to determine filesystem size")
                return 1
            node["md"].pop(dev, None)
            node["lvm"]["pvs"].pop(dev, None)
            rec["signature"] = "ext4"
    return 0
