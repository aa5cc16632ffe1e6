"""dm-thin: the chunks a thin LV maps as it is written, and a pool that runs out of data space.
"""

import re

from .lvm_model import EXTENT_KIB, THIN_CHUNK_KIB, lv_extents, pool_used_kib, round_up, thin_lv_kib
from .storage import kernel_event


def thin_lv_of(node, dev):
    """(vg/lv key, record) of the thin LV behind a node device path, or (None, None)."""
    m = re.match(r"^/dev/([^/]+)/([^/]+)$", dev or "")
    if not m:
        return None, None
    key = "%s/%s" % (m.group(1), m.group(2))
    lv = node["lvm"]["lvs"].get(key)
    return (key, lv) if lv and lv["type"] == "thin" else (None, None)


def pool_dm_name(node, pool_key):
    """The pool's device-mapper major:minor as the kernel log names it (253:N, N by pool order)."""
    pools = sorted(k for k, lv in node["lvm"]["lvs"].items() if lv["type"] == "thin-pool")
    return "253:%d" % (2 + 3 * pools.index(pool_key))


def pool_out_of_space(node, pool_key, pool):
    """dm-thin (drivers/md/dm-thin.c set_pool_mode): with --errorwhenfull n (lvm2's default) the pool
    first queues I/O, then after no_space_timeout (60 s) errors it; the simulation takes the harsher
    end result at once: the I/O fails (both kernel lines are logged)."""
    if pool.get("outOfDataSpace"):
        return
    pool["outOfDataSpace"] = True
    name = pool_dm_name(node, pool_key)
    if not pool.get("errorWhenFull"):
        kernel_event(node, "device-mapper: thin: %s: switching pool to out-of-data-space (queue IO) mode" % name)
    kernel_event(node, "device-mapper: thin: %s: switching pool to out-of-data-space (error IO) mode" % name)


def thin_allocate(node, dev, data_kib=None, md_kib=None):
    """Map the chunks a write touches on the thin LV behind dev: data from offset 0 up to data_kib,
    DRBD's internal metadata (md_kib at the end of the LV). Rounded to the pool's chunk size (64 KiB);
    dm-thin allocates on any write, zeros included. Returns False when the pool has no room: then
    what fits is mapped, the pool is out of data space and the write errors. Other devices (disks,
    linear LVs) are fully provisioned: always True."""
    key, lv = thin_lv_of(node, dev)
    if lv is None:
        return True
    vg = key.split("/", 1)[0]
    pool_key = "%s/%s" % (vg, lv["pool"])
    pool = node["lvm"]["lvs"][pool_key]
    chunk = int(pool.get("chunkKiB", THIN_CHUNK_KIB))
    size = thin_lv_kib(lv)
    want_data = max(int(lv.get("dataAllocKiB", 0)), round_up(data_kib or 0, chunk))
    want_md = max(int(lv.get("mdAllocKiB", 0)), round_up(md_kib or 0, chunk))
    want_data = min(want_data, size - want_md)
    delta = want_data + want_md - int(lv.get("allocatedKiB", 0))
    if delta <= 0:
        lv["dataAllocKiB"], lv["mdAllocKiB"] = want_data, want_md
        return True
    room = lv_extents(pool) * EXTENT_KIB - pool_used_kib(node, pool_key)
    if delta > room:
        got = max(0, room) // chunk * chunk
        lv["allocatedKiB"] = int(lv.get("allocatedKiB", 0)) + got
        if want_md > int(lv.get("mdAllocKiB", 0)):
            lv["mdAllocKiB"] = int(lv.get("mdAllocKiB", 0)) + got
        else:
            lv["dataAllocKiB"] = int(lv.get("dataAllocKiB", 0)) + got
        pool_out_of_space(node, pool_key, pool)
        return False
    lv["dataAllocKiB"], lv["mdAllocKiB"] = want_data, want_md
    lv["allocatedKiB"] = want_data + want_md
    return True
