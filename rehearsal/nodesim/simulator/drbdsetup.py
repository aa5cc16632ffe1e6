"""drbdsetup, the simulated kernel's interface: the entry (cmd_drbdsetup), the commands that only
read (DRBDSETUP_QUERIES: status, show, get-gi, events2); the ones that change the kernel are in
drbdsetup_changes.DRBDSETUP_CHANGES.
"""

import json
import sys

from .drbd_kernel import kernel_resources, md_of, module_loaded
from .drbd_resync import observe_syncs
from .drbd_status import show_text, status_json, status_text
from .drbdsetup_changes import DRBDSETUP_CHANGES, need_resource
from .metadata import fmt_uuid
from .output import err, out


# Commands that never change the kernel; those not in DRBDSETUP_QUERIES are "not simulated".
READ_ONLY = ("status", "show", "get-gi", "show-gi", "events2", "role", "cstate", "dstate", "sh-status")


def cmd_drbdsetup(ctx):
    args = list(ctx.args)
    if not args:
        err("USAGE: drbdsetup command {arguments} [options]")
        return 20
    cmd, rest = args[0], args[1:]
    pos, opts = parse_opts(rest)
    if cmd == "attach":
        ctx.sleep("attach")  # outside the fleet lock: other nodes keep going meanwhile
    with ctx.world() as w:
        node = w.node(ctx.node_id)
        if not module_loaded(node):
            err("Could not connect to 'drbd' generic netlink family")
            return 20
        req = Request(ctx, w, node, kernel_resources(node), cmd, pos, opts)
        if cmd in DRBDSETUP_QUERIES:
            return DRBDSETUP_QUERIES[cmd](req)
        if cmd in READ_ONLY:
            err("drbdsetup %s: not simulated" % cmd)
            return 20
        change = DRBDSETUP_CHANGES.get(cmd)
        if change is None:
            err("drbdsetup: unknown command '%s'" % cmd)
            return 20
        return change(req)


class Request:
    """One drbdsetup call inside the fleet lock: the command's node and its kernel resources
    (node["kernel"]["resources"]), positional arguments and --options."""

    def __init__(self, ctx, world, node, resources, cmd, pos, opts):
        self.ctx, self.world, self.node, self.resources = ctx, world, node, resources
        self.cmd, self.pos, self.opts = cmd, pos, opts


def parse_opts(args):
    """Split drbdsetup args into positionals and --key=value options (flags -> 'yes')."""
    pos, opts = [], {}
    i = 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            if "=" in a:
                k, v = a[2:].split("=", 1)
            else:
                k, v = a[2:], "yes"
            opts[k] = v
        else:
            pos.append(a)
        i += 1
    return pos, opts


def status(req):
    """status [RES|all] [--json]: counts as an observation of the resyncs shown."""
    w, node, rs, pos, opts = req.world, req.node, req.resources, req.pos, req.opts
    names = [p for p in pos if not p.startswith("-")] or sorted(rs)
    if pos and pos[0] != "all" and pos[0] not in rs:
        err("%s: No such resource" % pos[0])
        return 10
    if pos and pos[0] == "all":
        names = sorted(rs)
    selected = [rs[n] for n in names if n in rs]
    for r in selected:
        observe_syncs(w, node, r)
    if "json" in opts:
        out(json.dumps([status_json(w, node, r) for r in selected], indent=2))
    else:
        sys.stdout.write("\n".join(status_text(w, node, r) for r in selected))
    return 0


def show(req):
    """show [RES|all]: the kernel's configuration in drbd.conf syntax."""
    rs, pos = req.resources, req.pos
    names = pos or sorted(rs)
    if pos and pos[0] not in rs and pos[0] != "all":
        err("%s: No such resource" % pos[0])
        return 10
    if pos and pos[0] == "all":
        names = sorted(rs)
    sys.stdout.write("".join(show_text(rs[n]) for n in names if n in rs))
    return 0


def get_gi(req):
    """get-gi, show-gi RES PEER_ID VOLUME: the generation identifiers and flags."""
    node, rs, cmd, pos = req.node, req.resources, req.cmd, req.pos
    if len(pos) < 3:
        err("USAGE: drbdsetup %s {resource} {peer_node_id} {volume}" % cmd)
        return 20
    r = need_resource(rs, pos[0])
    if r is None:
        return 10
    d = r.get("devices", {}).get(pos[2])
    md = md_of(node, d)
    if md is None:
        err("%s: Failure: (138) Device does not have a disk (or the disk is diskless)" % pos[0])
        return 10
    slot = md["slots"].get(pos[1], {})
    linked = r["connections"].get(pos[1], {}).get("linked", False)
    flags = [int(md["consistent"] or d["diskState"] in ("UpToDate", "Consistent", "Outdated")),
             int(d["diskState"] in ("UpToDate", "Consistent")), int(r.get("role") == "Primary"), 0,
             1, 0, 0, int(bool(linked)), 0, 0, int(bool(r.get("sync"))), 1]
    gi = "%s:%s:%s:%s:%s" % (fmt_uuid(md["current"]), fmt_uuid(slot.get("bitmapUuid", 0)),
                             fmt_uuid(md["history"][0]), fmt_uuid(md["history"][1]),
                             ":".join(str(f) for f in flags))
    out(gi)
    return 0


def events2(req):
    """events2: the `exists` lines only."""
    rs = req.resources
    for r in rs.values():
        out("exists resource name:%s role:%s suspended:no" % (r["name"], r.get("role", "Secondary")))
    out("exists -")
    return 0


DRBDSETUP_QUERIES = {"status": status, "show": show, "get-gi": get_gi, "show-gi": get_gi, "events2": events2}
