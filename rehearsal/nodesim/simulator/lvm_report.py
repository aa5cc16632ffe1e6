"""The LVM reports: pvs, vgs and lvs with lvm2's column layout and field values.
"""

import re

from .disks import device_size_kib
from .drbd_kernel import kernel_resources
from .lvm_model import (EXTENT_KIB, PE_START_KIB, THIN_CHUNK_KIB, display_size, lv_extents, lvm_fail, pool_used_kib,
                        pv_alloc_extents, pv_pe_count, thin_lv_kib, vg_extent_count, vg_free_extents, vg_lvs)
from .output import err, out


def cmd_pvs(ctx):
    """pvs [-o FIELDS] [--units U --nosuffix --noheadings] [DEVICE...]: lvm2's PV report. pv_size of a PV
    in a VG is its extents times the extent size (lvm2 lib/metadata/pv.c pv_size_field), of an orphan
    the device's size; pe_start 1 MiB; dev_size the device's size now (larger than the PV once the disk
    grew and before pvresize)."""
    node = ctx.read_state()
    opts, names = report_opts(ctx.args)
    devs = [ctx.node_path(a) for a in names]
    rc = 0
    rows = []
    for dev in devs or sorted(node["lvm"]["pvs"]):
        if dev not in node["lvm"]["pvs"]:
            rc = lvm_fail('Failed to find physical volume "%s".' % dev)
            continue
        rows.append(dev)
    pvs = node["lvm"]["pvs"]

    def pe_count(d):
        return pv_pe_count(node, pvs[d], d) if pvs[d] else 0

    def pv_bytes(d):
        return pe_count(d) * EXTENT_KIB * 1024 if pvs[d] else device_size_kib(node, d) * 1024

    def free_bytes(d):
        return (pe_count(d) - pv_alloc_extents(node, pvs[d], d)) * EXTENT_KIB * 1024 if pvs[d] else pv_bytes(d)

    columns = {
        "pv_name": ("PV", False, lambda d: d),
        "vg_name": ("VG", False, lambda d: pvs[d]),
        "pv_fmt": ("Fmt", False, lambda d: "lvm2"),
        "pv_attr": ("Attr", False, lambda d: "a--" if pvs[d] else "---"),
        "pv_size": ("PSize", True, lambda d: report_size(opts, pv_bytes(d))),
        "pv_free": ("PFree", True, lambda d: report_size(opts, free_bytes(d))),
        "dev_size": ("DevSize", True, lambda d: report_size(opts, device_size_kib(node, d) * 1024)),
        "pe_start": ("1st PE", True, lambda d: report_size(opts, PE_START_KIB * 1024)),
        "pv_pe_count": ("PE", True, lambda d: str(pe_count(d))),
        "pv_pe_alloc_count": ("Alloc", True, lambda d: str(pv_alloc_extents(node, pvs[d], d) if pvs[d] else 0)),
    }
    if rows:
        r = print_report(opts, columns, rows, "pv_name,vg_name,pv_fmt,pv_attr,pv_size,pv_free")
        rc = rc or r
    return rc


def report_opts(args):
    """Reporting options shared by pvs/vgs/lvs: -o/--options, --units, --nosuffix, --noheadings,
    --separator, -a; returns (opts, positionals)."""
    o = {"fields": None, "units": "r", "nosuffix": False, "noheadings": False, "separator": None, "all": False}
    pos = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-o", "--options"):
            o["fields"] = args[i + 1]
            i += 1
        elif a.startswith("--options="):
            o["fields"] = a.split("=", 1)[1]
        elif a == "--units":
            o["units"] = args[i + 1]
            i += 1
        elif a.startswith("--units="):
            o["units"] = a.split("=", 1)[1]
        elif a == "--nosuffix":
            o["nosuffix"] = True
        elif a == "--noheadings":
            o["noheadings"] = True
        elif a == "--separator":
            o["separator"] = args[i + 1]
            i += 1
        elif a.startswith("--separator="):
            o["separator"] = a.split("=", 1)[1]
        elif a in ("-a", "--all"):
            o["all"] = True
        elif a.startswith("-"):
            pass
        else:
            pos.append(a)
        i += 1
    return o, pos


def report_size(opts, nbytes):
    """A size field of a report: --units (default r) with the one-letter suffix, --nosuffix drops
    it (lvm2 lib/report/report.c _size64_disp -> display_size_units)."""
    unit = opts["units"]
    if unit in ("r", "h", "R", "H"):
        return display_size(nbytes, unit, "unit", True)
    return display_size(nbytes, unit, "unit", not opts["nosuffix"])


def print_report(opts, columns, rows, default_fields):
    """lvm2's column report: two leading spaces, columns separated by one space (or --separator,
    then unaligned), numbers right-aligned and padded to the widest value or heading."""
    fields = [f.strip() for f in (opts["fields"] or default_fields).split(",") if f.strip()]
    if fields and fields[0].startswith("+"):
        fields = [f.strip() for f in default_fields.split(",")] + [fields[0][1:]] + fields[1:]
    resolved = []
    for f in fields:
        key = f if f in columns else next((c for c in columns if c.split("_", 1)[-1] == f or c == "lv_" + f
                                           or c == "vg_" + f), None)
        if key is None:
            err("  Unrecognised field: %s" % f)
            return 5
        resolved.append(key)
    table = [[columns[k][2](r) for k in resolved] for r in rows]
    heads = [columns[k][0] for k in resolved]
    if opts["separator"] is not None:
        if not opts["noheadings"]:
            out("  " + opts["separator"].join(heads))
        for row in table:
            out("  " + opts["separator"].join(row))
        return 0
    widths = [max([len(h)] + [len(row[i]) for row in table]) for i, h in enumerate(heads)]

    def fmt(vals, heading=False):
        cells = []
        for i, v in enumerate(vals):
            right = columns[resolved[i]][1] and not heading
            cells.append(v.rjust(widths[i]) if right else v.ljust(widths[i]))
        return ("  " + " ".join(cells)).rstrip()

    if not opts["noheadings"]:
        out(fmt(heads, True))
    for row in table:
        out(fmt(row))
    return 0


def lv_attr(node, key, lv):
    """lv_attr as lvm2 prints it: thin pool twi-aotz-- ('D' in the 9th position when the pool is out
    of data space), thin LV Vwi-a-tz-- (Vwi-aotz-- when open: attached to DRBD), linear -wi-a-----."""
    if lv["type"] == "thin-pool":
        return "twi-aotz%s-" % ("D" if lv.get("outOfDataSpace") else "-")
    opened = any(d.get("disk") == "/dev/" + key for r in kernel_resources(node).values()
                 for d in r.get("devices", {}).values())
    if lv["type"] == "thin":
        return "Vwi-a%stz--" % ("o" if opened else "-")
    return "-wi-a%s----" % ("o" if opened else "-")


def lv_data_percent(node, key, lv):
    if lv["type"] == "thin-pool":
        return "%.2f" % (100.0 * pool_used_kib(node, key) / (lv_extents(lv) * EXTENT_KIB))
    if lv["type"] == "thin":
        return "%.2f" % (100.0 * int(lv.get("allocatedKiB", 0)) / thin_lv_kib(lv))
    return ""


def lv_meta_percent(node, key, lv):
    """Thin pool metadata use: the superblock, space maps and one 64-byte mapping per data chunk
    (an estimate of what thin_check would count; nothing checks it)."""
    if lv["type"] != "thin-pool":
        return ""
    meta = max(int(lv.get("metaExtents", 1)), 1) * EXTENT_KIB * 1024
    chunks = pool_used_kib(node, key) // int(lv.get("chunkKiB", THIN_CHUNK_KIB))
    return "%.2f" % (100.0 * (64 * 1024 + 64 * chunks) / meta)


def cmd_vgs(ctx):
    node = ctx.read_state()
    opts, names = report_opts(ctx.args)
    rc = 0
    rows = []
    for n in names or sorted(node["lvm"]["vgs"]):
        vg = node["lvm"]["vgs"].get(n)
        if vg is None:
            err('  Volume group "%s" not found' % n)
            rc = lvm_fail("Cannot process volume group %s" % n)
            continue
        rows.append(n)
    vgrec = node["lvm"]["vgs"]
    ext = lambda n: int(vgrec[n].get("extentKiB", EXTENT_KIB)) * 1024
    columns = {
        "vg_name": ("VG", False, lambda n: n),
        "pv_count": ("#PV", True, lambda n: str(len(vgrec[n].get("pvs", [])))),
        "lv_count": ("#LV", True, lambda n: str(len(vg_lvs(node, n)))),
        "snap_count": ("#SN", True, lambda n: "0"),
        "vg_attr": ("Attr", False, lambda n: "wz--n-"),
        "vg_size": ("VSize", True, lambda n: report_size(opts, vg_extent_count(vgrec[n]) * ext(n))),
        "vg_free": ("VFree", True, lambda n: report_size(opts, vg_free_extents(node, n) * ext(n))),
        "vg_extent_size": ("Ext", True, lambda n: report_size(opts, ext(n))),
        "vg_extent_count": ("#Ext", True, lambda n: str(vg_extent_count(vgrec[n]))),
        "vg_free_count": ("Free", True, lambda n: str(vg_free_extents(node, n))),
    }
    if rows:
        r = print_report(opts, columns, rows, "vg_name,pv_count,lv_count,snap_count,vg_attr,vg_size,vg_free")
        rc = rc or r
    return rc


def cmd_lvs(ctx):
    node = ctx.read_state()
    opts, names = report_opts(ctx.args)
    rc = 0
    keys = []
    for n in names or sorted(node["lvm"]["vgs"]):
        n = re.sub(r"^/dev/", "", n)
        if "/" in n:
            if n not in node["lvm"]["lvs"]:
                rc = lvm_fail('Failed to find logical volume "%s"' % n)
                continue
            keys.append(n)
        else:
            if n not in node["lvm"]["vgs"]:
                err('  Volume group "%s" not found' % n)
                rc = lvm_fail("Cannot process volume group %s" % n)
                continue
            keys += [k for k, _ in vg_lvs(node, n)]
    lvs = node["lvm"]["lvs"]
    columns = {
        "lv_name": ("LV", False, lambda k: k.split("/", 1)[1]),
        "vg_name": ("VG", False, lambda k: k.split("/", 1)[0]),
        "lv_attr": ("Attr", False, lambda k: lv_attr(node, k, lvs[k])),
        "lv_size": ("LSize", True, lambda k: report_size(opts, lv_extents(lvs[k]) * EXTENT_KIB * 1024)),
        "pool_lv": ("Pool", False, lambda k: lvs[k].get("pool", "") if lvs[k]["type"] == "thin" else ""),
        "origin": ("Origin", False, lambda k: ""),
        "data_percent": ("Data%", True, lambda k: lv_data_percent(node, k, lvs[k])),
        "metadata_percent": ("Meta%", True, lambda k: lv_meta_percent(node, k, lvs[k])),
        # A thin pool's chunk and its metadata LV's size (lvs(8) chunk_size, lv_metadata_size); "" otherwise.
        "chunk_size": ("Chunk", True, lambda k: report_size(opts, int(lvs[k].get("chunkKiB", 0)) * 1024)
                       if lvs[k]["type"] == "thin-pool" else ""),
        "lv_metadata_size": ("MSize", True, lambda k: report_size(opts, int(lvs[k].get("metaExtents", 0)) * EXTENT_KIB
                                                                  * 1024) if lvs[k]["type"] == "thin-pool" else ""),
        "move_pv": ("Move", False, lambda k: ""),
        "mirror_log": ("Log", False, lambda k: ""),
        "copy_percent": ("Cpy%Sync", True, lambda k: ""),
        "convert_lv": ("Convert", False, lambda k: ""),
        "lv_path": ("Path", False, lambda k: "/dev/" + k),
        "lv_dm_path": ("DMPath", False, lambda k: "/dev/mapper/" + "-".join(p.replace("-", "--") for p in k.split("/"))),
    }
    if keys:
        r = print_report(opts, columns, keys, "lv_name,vg_name,lv_attr,lv_size,pool_lv,origin,data_percent,"
                                              "metadata_percent,move_pv,mirror_log,copy_percent,convert_lv")
        rc = rc or r
    return rc
