"""drbdmeta: the on-disk metadata commands drbdadm runs (create-md, dump-md, apply-al, get-gi,
dev-uuid, forget-peer, wipe-md), one function per command in METADATA_COMMANDS.
"""

import functools
import sys

from .disks import device_info, device_size_kib, signature
from .dm_thin import thin_allocate
from .drbd_kernel import kernel_resources
from .metadata import dump_md_text, fmt_uuid, md_size_kib, new_md
from .output import err, out


def cmd_drbdmeta(ctx):
    args = list(ctx.args)
    force = "--force" in args
    node_id_opt = None
    rest = []
    for a in args:
        if a == "--force" or a.startswith("--ignore-sanity-checks"):
            continue
        if a.startswith("--node-id="):
            node_id_opt = a.split("=", 1)[1]
            continue
        rest.append(a)
    if len(rest) < 5 or rest[1] != "v09":
        err("USAGE: drbdmeta [--force] {device|minor} v09 {md_device} {internal} {command} {args}")
        return 20
    minor, dev, cmd, cargs = rest[0], ctx.node_path(rest[2]), rest[4], rest[5:]
    if cmd == "create-md":
        ctx.sleep("create-md")
    with ctx.world() as w:
        node = w.node(ctx.node_id)
        kind, _ = device_info(node, dev)
        if kind is None:
            err("open(%s) failed: No such file or directory" % dev)
            return 20
        attached_minor = next((str(d["minor"]) for r in kernel_resources(node).values()
                               for d in r.get("devices", {}).values() if d.get("disk") == dev), None)
        if attached_minor is not None and cmd not in ("read-dev-uuid", "get-gi", "show-gi", "check-resize"):
            if attached_minor == minor:
                err("Device '%s' is configured!" % minor)
            else:
                err("open(%s) failed: Device or resource busy" % dev)
            return 20
        command = METADATA_COMMANDS.get(cmd)
        if command is None:
            err("drbdmeta: unknown command '%s'" % cmd)
            return 20
        return command(MetadataRequest(ctx, node, dev, node["md"].get(dev), minor, cmd, cargs, force, node_id_opt))


class MetadataRequest:
    """One drbdmeta call inside the fleet lock, on an existing device (attached only for
    read-dev-uuid, get-gi, show-gi, check-resize): md is the device's metadata record (None when
    there is none), node_id the --node-id option."""

    def __init__(self, ctx, node, dev, md, minor, cmd, cargs, force, node_id):
        self.ctx, self.node, self.dev, self.md, self.minor = ctx, node, dev, md, minor
        self.cmd, self.cargs, self.force, self.node_id = cmd, cargs, force, node_id


def no_metadata():
    """drbdmeta's answer on a device without DRBD metadata (exit 1)."""
    err("No valid meta data found")
    return 1


def needs_metadata(command):
    """A command that reads or changes the device's metadata: without any, no_metadata()."""
    @functools.wraps(command)
    def run(req):
        return no_metadata() if req.md is None else command(req)
    return run


@needs_metadata
def dump_md(req):
    """dump-md: the metadata as text."""
    ctx, node, dev, md, minor = req.ctx, req.node, req.dev, req.md, req.minor
    sys.stdout.write(dump_md_text(ctx, node, dev, md, minor))
    return 0


@needs_metadata
def apply_al(req):
    """apply-al: nothing to replay (needs metadata)."""
    return 0


def read_dev_uuid(req):
    """read-dev-uuid: the device UUID (zeros without metadata)."""
    md = req.md
    out(fmt_uuid(md["deviceUuid"]) if md else "0000000000000000")
    return 0


@needs_metadata
def write_dev_uuid(req):
    """write-dev-uuid UUID."""
    md, cargs = req.md, req.cargs
    md["deviceUuid"] = int(cargs[0], 16)
    return 0


def get_gi(req):
    """get-gi, show-gi --node-id=N: the generation identifiers and flags towards peer N."""
    md, cmd, node_id_opt = req.md, req.cmd, req.node_id
    if node_id_opt is None:
        err("The %s command requires the --node-id option" % cmd)
        return 10
    if md is None:
        return no_metadata()
    out("%s:%s:%s:%s:%d:%d:0:0:1:0:0:0:0:0:0:0" % (
        fmt_uuid(md["current"]), fmt_uuid(md["slots"].get(node_id_opt, {}).get("bitmapUuid", 0)),
        fmt_uuid(md["history"][0]), fmt_uuid(md["history"][1]), int(md["consistent"]), int(md["upToDate"])))
    return 0


@needs_metadata
def forget_peer(req):
    """forget-peer --node-id=N: frees peer N's bitmap slot."""
    md, node_id_opt = req.md, req.node_id
    md["slots"].pop(node_id_opt, None)
    return 0


@needs_metadata
def wipe_md(req):
    """wipe-md: only with --force (stdin is not a TTY)."""
    node, dev, force = req.node, req.dev, req.force
    if not force:
        err("Do you really want to wipe out the DRBD meta data?\n*** NOTE: ***\nstdin not a TTY, "
            "not waiting for confirmation")
        out("Operation cancelled.")
        return 1
    del node["md"][dev]
    out("Wiping meta data...")
    return 0


def create_md(req):
    """create-md MAX_PEERS: refused over metadata or a foreign signature without --force; the
    metadata area at the end of a thin LV gets mapped."""
    node, dev, md, cargs, force = req.node, req.dev, req.md, req.cargs, req.force
    try:
        max_peers = int(cargs[0]) if cargs else 1
    except ValueError:
        err("Invalid max-peers %s" % cargs[0])
        return 10
    if not 1 <= max_peers <= 31:
        err("max-peers must be between 1 and 31")
        return 10
    if md is not None and not force:
        err("You want me to create a v09 style flexible-size internal meta data block.\n"
            "There appears to be a v09 flexible-size internal meta data block\n"
            "already in place on %s at byte offset %d\n\n"
            "Do you really want to overwrite the existing meta-data?\n"
            "stdin not a TTY, not waiting for confirmation" % (dev, device_size_kib(node, dev) * 1024 - 4096))
        out("Operation cancelled.")
        return 1
    sig = signature(node, dev)
    if sig not in (None, "drbd") and not force:
        size = device_size_kib(node, dev)
        err("md_offset %d\nal_offset %d\nbm_offset %d\n\nFound %s filesystem\n" % (
            size * 1024 - 4096, size * 1024 - 36864, size * 1024 - 69632,
            "ext3" if sig == "ext4" else sig) +
            "       %d kB data area apparently used\n       %d kB left usable by current configuration\n\n"
            "Even though it looks like this would place the new meta data into\n"
            "unused space, you still need to confirm, as this is only a guess.\n\n"
            "Do you want to proceed?\nstdin not a TTY, not waiting for confirmation" % (size // 2, size - 68))
        out("Operation canceled.")
        return 1
    # drbdmeta writes the activity log and the zeroed bitmap at the end of the device: on a
    # thin LV those chunks get mapped (dm-thin allocates on any write).
    if not thin_allocate(node, dev, md_kib=md_size_kib(device_size_kib(node, dev), max_peers)):
        err("pwrite(5,...,%d,%d) in md_initialize_common:BM failed: Input/output error"
            % (md_size_kib(device_size_kib(node, dev), max_peers) * 1024, device_size_kib(node, dev) * 1024))
        return 10
    node["md"][dev] = new_md(max_peers, device_size_kib(node, dev))
    node.setdefault("counters", {}).setdefault("createMd", 0)
    node["counters"]["createMd"] += 1
    if md is not None:  # --force over a valid record: the node's data generation and bitmaps are gone
        node["counters"]["createMdOverMetadata"] = node["counters"].get("createMdOverMetadata", 0) + 1
        if md.get("blocks"):  # create-md writes only the metadata area: the data blocks stay as they were
            node["md"][dev]["blocks"] = dict(md["blocks"])
    out("initializing activity log")
    err("initializing bitmap (%d KB) to all zero" % max(4, md_size_kib(device_size_kib(node, dev), max_peers) - 36))
    out("Writing meta data...")
    out("New drbd meta data block successfully created.")
    return 0


def accept(req):
    """check-resize, set-gi, outdate: nothing to do on the simulated metadata."""
    return 0


METADATA_COMMANDS = {
    "dump-md": dump_md, "apply-al": apply_al, "read-dev-uuid": read_dev_uuid, "write-dev-uuid": write_dev_uuid,
    "get-gi": get_gi, "show-gi": get_gi, "forget-peer": forget_peer, "wipe-md": wipe_md, "create-md": create_md,
    "check-resize": accept, "set-gi": accept, "outdate": accept,
}
