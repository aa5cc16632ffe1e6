"""Kernel modules: modinfo, modprobe, lsmod for drbd (the DKMS build or the in-tree 8.4), and the
node's /sys/module/drbd/version.
"""

import os

from . import faults
from .constants import INTREE_DRBD_VERSION, KERNEL_RELEASE
from .drbd_kernel import kernel_resources
from .output import err, out
from .storage import atomic_write


def available_drbd_module(node):
    if "drbd" in node.get("modules", {}):
        return node["modules"]["drbd"]
    if faults.value(node, faults.IN_TREE_DRBD84):
        return INTREE_DRBD_VERSION
    return None


def cmd_modinfo(ctx):
    args = list(ctx.args)
    field = None
    if "-F" in args:
        field = args[args.index("-F") + 1]
    name = args[-1] if args else ""
    node = ctx.read_state()
    version = available_drbd_module(node) if name == "drbd" else None
    if version is None:
        err("modinfo: ERROR: Module %s not found." % name)
        return 1
    if field == "version":
        out(version)
    elif field is None:
        out("filename:       /lib/modules/%s/updates/dkms/drbd.ko.zst\nversion:        %s\nlicense:        GPL"
            % (KERNEL_RELEASE, version))
    return 0


def write_module_dir(ctx, node):
    mod = os.path.join(ctx.root, "sys", "module", "drbd")
    if node.get("module"):
        os.makedirs(mod, exist_ok=True)
        atomic_write(os.path.join(mod, "version"), node["module"]["version"] + "\n")
    elif os.path.exists(os.path.join(mod, "version")):
        os.unlink(os.path.join(mod, "version"))


def cmd_modprobe(ctx):
    names = [a for a in ctx.args if not a.startswith("-")]
    remove = "-r" in ctx.args
    ctx.sleep("modprobe")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for n in names:
            if n != "drbd":
                continue
            if remove:
                if kernel_resources(node):
                    err("modprobe: FATAL: Module drbd is in use.")
                    return 1
                node["module"] = None
            else:
                v = available_drbd_module(node)
                if v is None:
                    err("modprobe: FATAL: Module drbd not found in directory /lib/modules/%s" % KERNEL_RELEASE)
                    return 1
                if node.get("module") is None:
                    node["module"] = {"version": v}
        write_module_dir(ctx, node)
    return 0


def cmd_lsmod(ctx):
    node = ctx.read_state()
    out("Module                  Size  Used by")
    if node.get("module"):
        out("drbd                  999424  0")
    return 0
