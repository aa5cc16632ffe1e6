"""The LVM commands that change a node's volumes: pvcreate, vgcreate, lvcreate (linear, thin pool,
thin LV: one creator per LV type), pvresize, lvextend, lvchange, lvremove.
"""

import os
import re

from .disks import device_size_kib, named_devices, signature
from .dm_thin import pool_dm_name
from .lvm_model import (EXTENT_KIB, THIN_CHUNK_KIB, THIN_MAX_META_KIB, LvmArgError, disk_pe_count, display_size,
                        extents_for_kib, lv_extents, lvm_fail, lvm_size_kib, percent_extents, pool_used_kib,
                        pv_alloc_extents, pv_pe_count, thin_lv_kib, thin_pool_metadata_extents, vg_extent_count,
                        vg_free_extents, vg_lvs)
from .output import err, out
from .storage import kernel_event


def cmd_pvcreate(ctx):
    devs = [a for a in ctx.args if a.startswith("/")]
    ctx.sleep("lvm")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for raw, dev, rec in named_devices(ctx, node, devs):
            if rec is None:
                return lvm_fail("No device found for %s." % raw)
            sig = signature(node, dev)
            if sig not in (None, "LVM2_member"):
                err("WARNING: %s signature detected on %s at offset 1080. Wipe it? [y/n]: [n]" % (sig, raw))
                err("  Aborted wiping of %s." % sig)
                return lvm_fail("1 existing signature left on the device.")
            if dev in node["lvm"]["pvs"] and node["lvm"]["pvs"][dev]:
                return lvm_fail('Can\'t initialize physical volume "%s" of volume group "%s" without -ff'
                                % (raw, node["lvm"]["pvs"][dev]))
            node["lvm"]["pvs"][dev] = ""
            out('  Physical volume "%s" successfully created.' % raw)
    return 0


def cmd_vgcreate(ctx):
    pos = [a for a in ctx.args if not a.startswith("-")]
    if len(pos) < 2:
        return lvm_fail("Please provide volume group name and physical volumes", 3)
    name, devs = pos[0], pos[1:]
    ctx.sleep("lvm")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        if name in node["lvm"]["vgs"]:
            return lvm_fail("A volume group called %s already exists." % name)
        extents, pv_extents = 0, {}
        for raw, dev, rec in named_devices(ctx, node, devs):
            if rec is None:
                return lvm_fail("No device found for %s." % raw)
            sig = signature(node, dev)
            if sig not in (None, "LVM2_member"):
                return lvm_fail("Cannot use %s: device has a signature" % raw)
            if node["lvm"]["pvs"].get(dev):
                return lvm_fail('Physical volume "%s" is already in volume group "%s"' % (raw, node["lvm"]["pvs"][dev]))
            if dev not in node["lvm"]["pvs"]:
                out('  Physical volume "%s" successfully created.' % raw)
            node["lvm"]["pvs"][dev] = name
            # pe_start at 1 MiB, whole 4 MiB extents after it (a 100 GiB disk gives 25599 extents).
            pv_extents[dev] = disk_pe_count(device_size_kib(node, dev))
            extents += pv_extents[dev]
        node["lvm"]["vgs"][name] = {"pvs": [ctx.node_path(d) for d in devs], "extentKiB": EXTENT_KIB,
                                    "extentCount": extents, "sizeGiB": extents * EXTENT_KIB / 1048576.0,
                                    "pmspareExtents": 0, "pvExtents": pv_extents}
        out('  Volume group "%s" successfully created' % name)
    return 0


def parse_lvcreate_args(args):
    opts, pos = {}, []
    i = 0
    aliases = {"-n": "--name", "-l": "--extents", "-L": "--size", "-V": "--virtualsize", "-T": "--thin",
               "-c": "--chunksize", "-Z": "--zero", "-y": "--yes"}
    with_value = ("--type", "--name", "--extents", "--size", "--virtualsize", "--thinpool", "--chunksize",
                  "--poolmetadatasize", "--zero", "--poolmetadataspare", "--errorwhenfull", "--discards")
    while i < len(args):
        a = aliases.get(args[i], args[i])
        if a.startswith("--") and "=" in a:
            k, v = a.split("=", 1)
            opts[k] = v
        elif a in with_value:
            opts[a] = args[i + 1]
            i += 1
        elif a.startswith("-"):
            opts[a] = True
        else:
            pos.append(a)
        i += 1
    return opts, pos


def cmd_lvcreate(ctx):
    opts, pos = parse_lvcreate_args(list(ctx.args))
    if not pos:
        return lvm_fail("Please specify a volume group", 3)
    vg_name = pos[-1]
    if "/" in vg_name and "--thinpool" not in opts:  # lvcreate -T vg/pool -V 1G -n lv
        vg_name, pool = vg_name.split("/", 1)
        if "--virtualsize" in opts:
            opts["--thinpool"] = pool
        else:
            opts["--type"], opts["--name"] = "thin-pool", opts.get("--name", pool)
    elif "/" in vg_name:
        vg_name = vg_name.split("/", 1)[0]
    ctx.sleep("lvm")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        vg = node["lvm"]["vgs"].get(vg_name)
        if vg is None:
            err('  Volume group "%s" not found' % vg_name)
            return lvm_fail("Cannot process volume group %s" % vg_name)
        name = opts.get("--name")
        if not name:
            return lvm_fail("Please specify a logical volume name", 3)
        key = "%s/%s" % (vg_name, name)
        if key in node["lvm"]["lvs"]:
            return lvm_fail('Logical Volume "%s" already exists in volume group "%s"' % (name, vg_name))
        kind = opts.get("--type", "thin" if "--thinpool" in opts else "linear")
        free = vg_free_extents(node, vg_name)
        notes = []  # log_print_unless_silent lines: stdout
        try:
            create = LV_CREATORS.get(kind, lvcreate_linear)
            rc = create(ctx, node, vg, vg_name, key, opts, free, notes)
            if rc:
                return rc
        except LvmArgError as e:
            err("  " + str(e))
            err("  Error during parsing of command line.")
            return 3
        for line in notes:
            out(line)
        if node["lvm"]["lvs"][key]["type"] != "thin-pool":
            path = ctx.host_path("/dev/%s/%s" % (vg_name, name))
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "a").close()
        out('  Logical volume "%s" created.' % name)
    return 0


def lvcreate_linear(ctx, node, vg, vg_name, key, opts, free, notes):
    """lvcreate of a linear LV (any other --type): --extents or --size in whole extents of the VG."""
    if "--extents" in opts:
        ext = percent_extents(node, vg, vg_name, opts["--extents"])
    else:
        ext, rounded = extents_for_kib(lvm_size_kib(opts.get("--size", "1G")))
        if rounded:
            notes.append("  Rounding up size to full physical extent %s" % display_size(ext * EXTENT_KIB * 1024))
    if ext > free:
        return lvm_fail('Volume group "%s" has insufficient free space (%d extents): %d required.'
                        % (vg_name, free, ext))
    node["lvm"]["lvs"][key] = {"type": "linear", "extents": ext, "sizeGiB": ext * EXTENT_KIB / 1048576.0}
    return 0


def lvcreate_thin(ctx, node, vg, vg_name, key, opts, free, notes):
    """lvcreate --type thin (or -V with --thinpool): a thin LV of --virtualsize in its pool (no VG
    extents), with lvm2's overprovisioning warning."""
    pool = opts.get("--thinpool")
    pkey = "%s/%s" % (vg_name, pool)
    if pkey not in node["lvm"]["lvs"] or node["lvm"]["lvs"][pkey]["type"] != "thin-pool":
        return lvm_fail("Thin pool %s not found." % pkey)
    ext, rounded = extents_for_kib(lvm_size_kib(opts.get("--virtualsize", "1G"), opt="--virtualsize"))
    if rounded:
        notes.append("  Rounding up size to full physical extent %s" % display_size(ext * EXTENT_KIB * 1024))
    node["lvm"]["lvs"][key] = {"type": "thin", "pool": pool, "extents": ext,
                               "sizeGiB": ext * EXTENT_KIB / 1048576.0, "allocatedKiB": 0}
    warn_err, warn_out = overprovisioning_warning(node, vg_name, pool)
    for line in notes:
        out(line)
    del notes[:]
    for line in warn_err:
        err(line)
    notes += warn_out
    return 0


def lvcreate_thin_pool(ctx, node, vg, vg_name, key, opts, free, notes):
    """lvcreate --type thin-pool as lvm2 2.03 allocates it: data extents, a hidden _tmeta of the
    estimated metadata size and, when the VG has none big enough, lvol0_pmspare of the same size.
    With --extents N%FREE (or %PVS) the percentage covers all three: tools/lvcreate.c
    _update_extents_params() subtracts 2 * metadata extents from the data ("Not enough space for
    thin pool creation." when that leaves nothing); with a size the metadata comes on top, and
    lvcreate fails when the VG cannot hold it."""
    if "thin-provisioning-tools" not in node["packages"]:
        err("  /usr/sbin/thin_check: execvp failed: No such file or directory")
        err("  Check of pool %s failed (status:2). Manual repair required!" % key)
        return lvm_fail("Aborting. Failed to locally activate thin pool %s." % key)
    percent = None
    if "--extents" in opts:
        m = re.match(r"^\d+%(FREE|PVS|F|P)$", str(opts["--extents"]), re.I)
        percent = bool(m)
        data = percent_extents(node, vg, vg_name, opts["--extents"])
    else:
        data, rounded = extents_for_kib(lvm_size_kib(opts.get("--size", "1G")))
        if rounded:
            notes.append("  Rounding up size to full physical extent %s" % display_size(data * EXTENT_KIB * 1024))
    chunk = THIN_CHUNK_KIB
    if "--chunksize" in opts:
        chunk = int(lvm_size_kib(opts["--chunksize"], default_unit="k", opt="--chunksize"))
    if "--poolmetadatasize" in opts:
        meta, _ = extents_for_kib(lvm_size_kib(opts["--poolmetadatasize"], opt="--poolmetadatasize"))
    else:
        meta, chunk = thin_pool_metadata_extents(data, chunk, chunk_given="--chunksize" in opts)
    if percent:
        if data <= 2 * meta:
            return lvm_fail("Not enough space for thin pool creation.")
        # lvm2 _update_extents_params(): a percentage covers the pool's metadata and its spare too.
        data -= 2 * meta
    spare = 0 if str(opts.get("--poolmetadataspare", "y")).lower().startswith("n") else \
        max(0, meta - int(vg.get("pmspareExtents", 0)))
    need = data + meta + spare
    if need > free:
        return lvm_fail('Volume group "%s" has insufficient free space (%d extents): %d required.' % (vg_name, free, need))
    node["lvm"]["lvs"][key] = {"type": "thin-pool", "extents": data, "sizeGiB": data * EXTENT_KIB / 1048576.0,
                               "metaExtents": meta, "chunkKiB": chunk, "outOfDataSpace": False,
                               "errorWhenFull": str(opts.get("--errorwhenfull", "n")).lower().startswith("y")}
    vg["pmspareExtents"] = int(vg.get("pmspareExtents", 0)) + spare
    # lvm2 2.03.16 (Ubuntu noble) wording of update_thin_pool_params()'s note.
    notes.append("  Thin pool volume with chunk size %s can address at most %s of data." % (
        display_size(chunk * 1024), display_size(THIN_MAX_META_KIB * chunk * 16384)))
    # (_estimate_max_data_size: max metadata sectors * chunk sectors * SECTOR_SIZE / 64)
    return 0


LV_CREATORS = {"thin-pool": lvcreate_thin_pool, "thin": lvcreate_thin}  # anything else: linear


def overprovisioning_warning(node, vg_name, pool_name):
    """lvm2 lib/metadata/thin_manip.c thin_pool_check_overprovisioning() for a new thin LV (one pool
    in the VG, activation/thin_pool_autoextend_threshold at its default 100). Returns (stderr lines,
    stdout lines): the first WARNING is log_warn (stderr), the other two log_print_unless_silent
    (stdout), as lib/log/log.h defines them (_LOG_WARN | _LOG_STDERR vs _LOG_WARN)."""
    pool = node["lvm"]["lvs"]["%s/%s" % (vg_name, pool_name)]
    pool_kib = lv_extents(pool) * EXTENT_KIB
    thin_kib = sum(thin_lv_kib(lv) for _, lv in vg_lvs(node, vg_name)
                   if lv["type"] == "thin" and lv.get("pool") == pool_name)
    if thin_kib <= pool_kib:
        return [], []
    other_pools = [lv for k, lv in vg_lvs(node, vg_name) if lv["type"] == "thin-pool" and k != "%s/%s" % (vg_name, pool_name)]
    for op in other_pools:
        pool_kib += lv_extents(op) * EXTENT_KIB
        thin_kib += sum(thin_lv_kib(lv) for k, lv in vg_lvs(node, vg_name) if lv["type"] == "thin" and lv.get("pool") == k.split("/", 1)[1])
    if thin_kib <= pool_kib:
        return [], []
    vg_size = vg_extent_count(node["lvm"]["vgs"][vg_name]) * EXTENT_KIB
    vg_free = vg_free_extents(node, vg_name) * EXTENT_KIB
    if vg_size < thin_kib:
        txt, sz = " and the size of whole volume group", vg_size
    elif vg_free < thin_kib:
        txt, sz = ("" if not vg_free else " and the amount of free space in volume group"), vg_free
    else:
        txt, sz = "", pool_kib  # threshold 100: "not configured for growing"
    name = ("s" if other_pools else " %s/%s" % (vg_name, pool_name))
    first = "  WARNING: Sum of all thin volume sizes (%s) exceeds the size of thin pool%s%s (%s)." % (
        display_size(thin_kib * 1024), name, txt, display_size(sz * 1024) if sz > 0 else "no free space in volume group")
    return [first], ["  WARNING: You have not turned on protection against thin pools running out of space.",
                     "  WARNING: Set activation/thin_pool_autoextend_threshold below 100 to trigger automatic "
                     "extension of thin pools before they get full."]


def cmd_pvresize(ctx):
    """pvresize DEVICE...: the PV takes its device's size now (lvm2 pv_manip.c pv_resize: (device size -
    pe_start) / extent size extents); the VG gains the new extents as free ones. Shrinking below the
    allocated extents fails ("cannot resize to N extents as later ones are allocated"). A device that
    is no PV: "Failed to find physical volume", exit 5. Reports as lvm2 2.03 does, on stdout."""
    devs = [a for a in ctx.args if a.startswith("/")]
    if not devs:
        return lvm_fail("Please supply physical volume(s)", 3)
    ctx.sleep("lvm")
    done = failed = 0
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for raw, dev, rec in named_devices(ctx, node, devs):
            if rec is None or dev not in node["lvm"]["pvs"]:
                err('  Failed to find physical volume "%s".' % raw)
                failed += 1
                continue
            vg_name = node["lvm"]["pvs"][dev]
            if vg_name:
                vg = node["lvm"]["vgs"][vg_name]
                old, new = pv_pe_count(node, vg_name, dev), disk_pe_count(device_size_kib(node, dev))
                if new < pv_alloc_extents(node, vg_name, dev):
                    err("  %s: cannot resize to %d extents as later ones are allocated." % (raw, new))
                    failed += 1
                    continue
                vg.setdefault("pvExtents", {})[dev] = new
                vg["extentCount"] = vg_extent_count(vg) + new - old
                vg["sizeGiB"] = vg["extentCount"] * EXTENT_KIB / 1048576.0
            out('  Physical volume "%s" changed' % raw)
            done += 1
    out("  %d physical volume(s) resized or updated / %d physical volume(s) not resized" % (done, failed))
    return 5 if failed else 0


def parse_lvextend_args(args):
    """lvextend's options: -l/--extents [+]N[%VG|%FREE|%PVS], -L/--size [+]N[unit], --poolmetadatasize
    [+]N[unit] (a thin pool's metadata); the rest is ignored
    (-r, -y, -n ...); positionals: the LV (VG/LV or /dev/VG/LV) and PVs to allocate from."""
    opts, pos = {}, []
    i = 0
    aliases = {"-l": "--extents", "-L": "--size"}
    while i < len(args):
        a = aliases.get(args[i], args[i])
        if a.startswith("--") and "=" in a:
            k, v = a.split("=", 1)
            opts[k] = v
        elif a in ("--extents", "--size", "--poolmetadatasize") and i + 1 < len(args):
            opts[a] = args[i + 1]
            i += 1
        elif not a.startswith("-"):
            pos.append(a)
        i += 1
    return opts, pos


def lvextend_extents(node, vg, vg_name, lv, opts, notes):
    """The new size of the LV in extents: absolute or +relative, sizes rounded up to whole extents
    (lvm2 lvresize: "Rounding size to boundary between physical extents")."""
    current = lv_extents(lv)
    if "--extents" in opts:
        spec = str(opts["--extents"])
        plus = spec.startswith("+")
        n = percent_extents(node, vg, vg_name, spec.lstrip("+"))
        return current + n if plus else n
    spec = str(opts["--size"])
    plus = spec.startswith("+")
    ext, rounded = extents_for_kib(lvm_size_kib(spec.lstrip("+"), opt="--size"))
    if rounded:
        notes.append("  Rounding size to boundary between physical extents: %s." % display_size(ext * EXTENT_KIB * 1024))
    return current + ext if plus else ext


def cmd_lvextend(ctx):
    """lvextend --extents N | --size S VG/LV, online: a linear LV or a thin pool's data takes the added
    extents from the VG's free ones ("Insufficient free space: N extents needed, but only M
    available"); a thin LV grows its virtual size in its pool (no VG extents; lvm2's overprovisioning
    warning when the pool is smaller than its thin LVs); a pool out of data space resumes writing
    once it has room. As lvm2 2.03 (lv_manip.c _lvresize_check): a new size equal to the current one
    fails "New size (N extents) matches existing size (N extents).", a smaller one "New size given (N
    extents) not larger than existing size (M extents)", both exit 5, nothing changed."""
    opts, pos = parse_lvextend_args(list(ctx.args))
    if not pos:
        return lvm_fail("Please specify a logical volume path.", 3)
    if "--poolmetadatasize" in opts and "--extents" not in opts and "--size" not in opts:
        return extend_pool_metadata(ctx, pos[0].replace("/dev/", "", 1).strip("/"), str(opts["--poolmetadatasize"]))
    if "--extents" not in opts and "--size" not in opts:
        return lvm_fail("Please specify either size or extents but not both.", 3)
    key = pos[0].replace("/dev/", "", 1).strip("/")
    ctx.sleep("lvm")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        lv = named_lv(node, key)
        if lv is None:
            return lvm_fail('Failed to find logical volume "%s"' % key)
        vg_name, name = key.split("/", 1)
        vg = node["lvm"]["vgs"][vg_name]
        notes = []
        try:
            new = lvextend_extents(node, vg, vg_name, lv, opts, notes)
        except LvmArgError as e:
            err("  " + str(e))
            err("  Error during parsing of command line.")
            return 3
        current = lv_extents(lv)
        if new == current:
            return lvm_fail("New size (%d extents) matches existing size (%d extents)." % (new, current))
        if new < current:
            return lvm_fail("New size given (%d extents) not larger than existing size (%d extents)" % (new, current))
        if lv["type"] != "thin":
            free = vg_free_extents(node, vg_name)
            if new - current > free:
                return lvm_fail("Insufficient free space: %d extents needed, but only %d available" % (new - current, free))
        for line in notes:
            out(line)
        shown = key + ("_tdata" if lv["type"] == "thin-pool" else "")
        out("  Size of logical volume %s changed from %s (%d extents) to %s (%d extents)." % (
            shown, display_size(current * EXTENT_KIB * 1024), current, display_size(new * EXTENT_KIB * 1024), new))
        lv["extents"], lv["sizeGiB"] = new, new * EXTENT_KIB / 1048576.0
        if lv["type"] == "thin":
            warn_err, warn_out = overprovisioning_warning(node, vg_name, lv["pool"])
            for line in warn_err:
                err(line)
            for line in warn_out:
                out(line)
        if lv["type"] == "thin-pool" and lv.get("outOfDataSpace") and pool_used_kib(node, key) < new * EXTENT_KIB:
            # dm-thin: a pool that got data space back leaves out-of-data-space mode
            lv["outOfDataSpace"] = False
            kernel_event(node, "device-mapper: thin: %s: switching pool to write mode" % pool_dm_name(node, key))
        out("  Logical volume %s successfully resized." % key)
    return 0


def named_lv(node, key):
    """The LV named VG/LV, or None."""
    return node["lvm"]["lvs"].get(key) if "/" in key else None


def extend_pool_metadata(ctx, key, spec):
    """lvextend --poolmetadatasize [+]SIZE VG/POOL: the pool's hidden _tmeta grows online, and
    lvm2 grows lvol0_pmspare with it (the spare must hold the largest pool metadata); both take VG
    extents ("Insufficient free space"); a size not larger fails as lvextend does (exit 5)."""
    ctx.sleep("lvm")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        lv = named_lv(node, key)
        if lv is None:
            return lvm_fail('Failed to find logical volume "%s"' % key)
        if lv["type"] != "thin-pool":
            return lvm_fail("Logical volume %s is not a thin pool: --poolmetadatasize needs one." % key, 3)
        vg_name = key.split("/", 1)[0]
        vg = node["lvm"]["vgs"][vg_name]
        current = int(lv.get("metaExtents", 0))
        try:
            ext, _ = extents_for_kib(lvm_size_kib(spec.lstrip("+"), opt="--poolmetadatasize"))
        except LvmArgError as e:
            err("  " + str(e))
            return 3
        new = current + ext if spec.startswith("+") else ext
        if new <= current:
            return lvm_fail("New size given (%d extents) not larger than existing size (%d extents)" % (new, current))
        spare = int(vg.get("pmspareExtents", 0))
        need = (new - current) + max(0, new - spare)
        free = vg_free_extents(node, vg_name)
        if need > free:
            return lvm_fail("Insufficient free space: %d extents needed, but only %d available" % (need, free))
        lv["metaExtents"] = new
        vg["pmspareExtents"] = max(spare, new)
        out("  Size of logical volume %s_tmeta changed from %s (%d extents) to %s (%d extents)." % (
            key, display_size(current * EXTENT_KIB * 1024), current, display_size(new * EXTENT_KIB * 1024), new))
        out("  Logical volume %s successfully resized." % key)
    return 0


def cmd_lvchange(ctx):
    return 0


def cmd_lvremove(ctx):
    names = [a for a in ctx.args if not a.startswith("-")]
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for n in names:
            n = n.replace("/dev/", "", 1)
            if n not in node["lvm"]["lvs"]:
                return lvm_fail('Failed to find logical volume "%s"' % n)
            lv = node["lvm"]["lvs"][n]
            vg, lvname = n.split("/", 1)
            if lv["type"] == "thin-pool" and any(l.get("pool") == lvname for _, l in vg_lvs(node, vg) if l["type"] == "thin"):
                return lvm_fail("Removing pool %s will remove 1 dependent volume(s). Proceed? [y/n]: [n]" % n)
            del node["lvm"]["lvs"][n]  # a thin LV's chunks go back to its pool; the pmspare stays
            node["md"].pop("/dev/" + n, None)
            path = ctx.host_path("/dev/" + n)
            if os.path.exists(path):
                os.unlink(path)
            out('  Logical volume "%s" successfully removed.' % lvname)
    return 0
