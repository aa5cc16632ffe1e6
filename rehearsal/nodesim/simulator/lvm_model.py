"""LVM as lvm2 2.03 computes and prints it: extents, size arguments, display sizes, the space a
VG's LVs take, thin pool metadata sizing; the lvm2 error line format.
"""

import math
import re

from .output import err


# --- LVM sizes, as lvm2 2.03 computes and prints them ----------------------------------------
# Extents: vgcreate's default physical extent size is 4 MiB and the first PE starts at 1 MiB
# (lvm2 lib/config/defaults.h DEFAULT_EXTENT_SIZE 4096 KiB, DEFAULT_PE_ALIGN 1 MiB data alignment).
EXTENT_KIB = 4096
PE_START_KIB = 1024
# Thin pools: lvm2 lib/config/defaults.h DEFAULT_THIN_POOL_CHUNK_SIZE 64 (KiB, policy "generic"),
# DEFAULT_THIN_POOL_OPTIMAL_METADATA_SIZE 128 MiB, DEFAULT_THIN_POOL_MIN_METADATA_SIZE 2 MiB, the
# uncropped maximum DEFAULT_THIN_POOL_MAX_METADATA_SIZE_V1_KB (the kernel's DM_THIN_MAX_METADATA_SIZE,
# 15.81 GiB; allocation/thin_pool_crop_metadata defaults to 0) and DM_THIN_MAX_DATA_BLOCK_SIZE 1 GiB.
THIN_CHUNK_KIB = 64
THIN_OPTIMAL_META_KIB = 128 * 1024
THIN_MIN_META_KIB = 2 * 1024
THIN_MAX_META_KIB = 16580608
THIN_MAX_CHUNK_KIB = 1024 * 1024


class LvmArgError(Exception):
    pass


def lvm_size_kib(value, default_unit="m", opt="--size"):
    """A size argument as lvm2's tools/lvmcmdline.c _size_arg() reads it, in KiB (fractional KiB
    only for sector counts): suffixes k m g t p e b s, case-insensitive (sizes given to lvcreate are
    always powers of 1024); bytes must be a multiple of 512 ("Size is not a multiple of 512. Try
    using X or Y."); no suffix means MiB for --size/--virtualsize/--poolmetadatasize (size_mb_arg)."""
    m = re.match(r"^([0-9]*\.?[0-9]+)([kKmMgGtTpPeEbBsS]?)$", str(value))
    if not m:
        raise LvmArgError("Invalid argument for %s: %s" % (opt, value))
    v = float(m.group(1))
    unit = (m.group(2) or default_unit).lower()
    if unit == "b":
        b = int(v)
        if b % 512:
            up = b + 512 - b % 512
            raise LvmArgError("Size is not a multiple of 512. Try using %d or %d." % (up - 512, up))
        return b / 1024.0
    if unit == "s":
        return int(v) / 2.0
    return v * 1024 ** ("kmgtpe".index(unit))


def extents_for_kib(kib, extent_kib=EXTENT_KIB):
    """lvm2 lib/metadata/lv_manip.c extents_from_size(): round up to whole extents, and say so
    ("Rounding up size to full physical extent %s", log_print_unless_silent: stdout)."""
    ext = int(-(-kib // extent_kib)) if kib == int(kib) else int(-(-int(kib * 2) // (extent_kib * 2)))
    rounded = ext * extent_kib != kib
    return ext, rounded


def display_size(nbytes, unit="r", suffix="short", include_suffix=True):
    """libdm/libdm-string.c dm_size_to_string() with lvm.conf's default units "r" (human readable,
    powers of 1024, a "<" prefix when the 2-digit value was rounded up: 99.996 GiB prints <100.00 GiB)
    and si_unit_consistency=1 (GiB). suffix: "short" (" GiB", messages) or "unit" ("g", reports).
    unit b/s/k/m/g/t/p/e (1024) or K/M/G/T/P/E (1000) as with --units."""
    short = {"e": " EiB", "p": " PiB", "t": " TiB", "g": " GiB", "m": " MiB", "k": " KiB", "b": " B",
             "E": " EB", "P": " PB", "T": " TB", "G": " GB", "M": " MB", "K": " kB", "B": " B", "S": " Se"}
    prefix = ""
    if unit in ("r", "h", "R", "H"):
        base = 1000 if unit in ("R", "H") else 1024
        letters = "EPTGMK" if base == 1000 else "eptgmk"
        byte = base ** 6
        s = 0
        while s < 6 and nbytes < byte:
            byte //= base
            s += 1
        letter = letters[s] if s < 6 else ("B" if base == 1000 else "b")
        if s < 6 and unit in ("r", "R") and nbytes:
            d = 100.0 * nbytes / byte
            if math.floor(d) != round(d):
                prefix = "<"
        include_suffix = True
    else:
        letter = unit
        byte = {"b": 1, "B": 1, "s": 512, "S": 512}.get(unit)
        if byte is None:
            byte = (1024 if unit.islower() else 1000) ** ("kmgtpe".index(unit.lower()) + 1)
    if nbytes == 0:
        return "0" + ((short.get(letter, "") if suffix == "short" else letter) if include_suffix else "")
    precision = 0 if letter in ("b", "B", "s", "S") else 2
    sfx = (short.get(letter, "") if suffix == "short" else letter) if include_suffix else ""
    if suffix == "unit" and letter in ("b",):
        sfx = "B" if include_suffix else ""
    if suffix == "unit" and letter in ("s", "S"):
        sfx = "S" if include_suffix else ""
    return "%s%.*f%s" % (prefix, precision, nbytes / float(byte), sfx)


def lv_extents(lv):
    if "extents" not in lv:
        lv["extents"] = int(math.ceil(float(lv.get("sizeGiB", 0)) * 256 - 1e-9))
    return lv["extents"]


def vg_extent_count(vg):
    if "extentCount" not in vg:
        vg["extentCount"] = int(float(vg.get("sizeGiB", 0)) * 256)
    return vg["extentCount"]


def disk_pe_count(size_kib, extent_kib=EXTENT_KIB):
    """The extents a PV on a device of size_kib holds: whole extents after pe_start (lvm2
    lib/metadata/pv_manip.c pv_resize: (size - pe_start) / extent size; a 100 GiB disk gives 25599)."""
    return max(0, (int(size_kib) - PE_START_KIB) // int(extent_kib))


def pv_pe_count(node, vg_name, dev):
    """The extents of the VG's PV on dev: recorded per PV (vgcreate, pvresize); a VG from before the
    record has one PV holding every extent."""
    vg = node["lvm"]["vgs"][vg_name]
    counts = vg.get("pvExtents") or {}
    if dev in counts:
        return int(counts[dev])
    return vg_extent_count(vg) if len(vg.get("pvs", [])) <= 1 else 0


def pv_alloc_extents(node, vg_name, dev):
    """The allocated extents on the VG's PV on dev: lvm2's normal allocation fills the PVs in VG
    order, so the used extents are counted from the first PV on."""
    vg = node["lvm"]["vgs"][vg_name]
    left = vg_used_extents(node, vg_name)
    for p in vg.get("pvs", []) or [dev]:
        n = min(left, pv_pe_count(node, vg_name, p))
        if p == dev:
            return n
        left -= n
    return 0


def vg_lvs(node, vg_name):
    return [(k, lv) for k, lv in sorted(node["lvm"]["lvs"].items()) if k.split("/", 1)[0] == vg_name]


def vg_used_extents(node, vg_name):
    """Allocated extents: every LV with its own extents (linear, thin pool data), each pool's
    hidden _tmeta and the VG's one lvol0_pmspare (thin LVs take none: they live in their pool)."""
    vg = node["lvm"]["vgs"][vg_name]
    used = int(vg.get("pmspareExtents", 0))
    for _, lv in vg_lvs(node, vg_name):
        if lv["type"] != "thin":
            used += lv_extents(lv) + int(lv.get("metaExtents", 0))
    return used


def vg_free_extents(node, vg_name):
    return vg_extent_count(node["lvm"]["vgs"][vg_name]) - vg_used_extents(node, vg_name)


def thin_lv_kib(lv):
    return lv_extents(lv) * EXTENT_KIB


def pool_used_kib(node, pool_key):
    """Data chunks the pool has mapped: the sum of its thin LVs' allocations."""
    vg, pool = pool_key.split("/", 1)
    return sum(int(lv.get("allocatedKiB", 0)) for k, lv in vg_lvs(node, vg)
               if lv["type"] == "thin" and lv.get("pool") == pool)


def thin_pool_metadata_extents(data_extents, chunk_kib=THIN_CHUNK_KIB, chunk_given=False):
    """lvm2 lib/metadata/thin_manip.c update_thin_pool_params() without --poolmetadatasize:
    _estimate_metadata_size() = data_sectors / (chunk_sectors * (SECTOR_SIZE / 64)), i.e. 64 bytes
    of metadata per data chunk; while that exceeds 2 * DEFAULT_THIN_POOL_OPTIMAL_METADATA_SIZE
    (128 MiB) the chunk size doubles (not when --chunksize gave it); rounded up to the extent size,
    kept within [2 MiB, 15.81 GiB] by update_pool_metadata_min_max(). Returns (metadata extents,
    chunk KiB)."""
    data_kib = data_extents * EXTENT_KIB
    meta_kib = data_kib * 64 // (chunk_kib * 1024)
    while not chunk_given and meta_kib > THIN_OPTIMAL_META_KIB and chunk_kib < THIN_MAX_CHUNK_KIB:
        chunk_kib *= 2
        meta_kib //= 2
    meta_kib = min(max(meta_kib, THIN_MIN_META_KIB), THIN_MAX_META_KIB)
    return int(-(-meta_kib // EXTENT_KIB)), chunk_kib


def percent_extents(node, vg, vg_name, spec):
    """-l N, N%FREE, N%VG, N%PVS: tools/lvcreate.c _update_extents_params() percent_of_extents()
    (rounded down)."""
    m = re.match(r"^(\d+)(?:%(FREE|VG|PVS|F|V|P))?$", str(spec), re.I)
    if not m:
        raise LvmArgError("Invalid argument for --extents: %s" % spec)
    n, what = int(m.group(1)), (m.group(2) or "").upper()
    if not what:
        return n
    base = vg_free_extents(node, vg_name) if what in ("FREE", "F") else vg_extent_count(vg)
    return n * base // 100


def round_up(v, unit):
    return int(-(-int(v) // int(unit)) * int(unit))


def lvm_fail(msg, code=5):
    err("  " + msg)
    return code
