"""The node's identity and services: uname, hostname, cloud-init, systemctl (units and templates).
"""

import re

from .constants import KERNEL_RELEASE
from .output import err, out


def cmd_cloud_init(ctx):
    if ctx.args[:1] == ["status"]:
        out("status: done")
        return 0
    return 0


def unit_name(u):
    return u if re.search(r"\.(service|target|socket|timer|mount|path)$", u) else u + ".service"


def unit_known(node, unit):
    if unit in node["units"]["known"]:
        return True
    m = re.match(r"^([^@]+@)[^.]*(\.[a-z]+)$", unit)
    return bool(m and (m.group(1) + m.group(2)) in node["units"].get("templates", []))


def cmd_systemctl(ctx):
    args = [a for a in ctx.args if not a.startswith("-")]
    quiet = "--quiet" in ctx.args or "-q" in ctx.args
    if not args:
        err("systemctl: simulated node needs a command")
        return 1
    cmd, units = args[0], [unit_name(u) for u in args[1:]]
    command = SYSTEMCTL_COMMANDS.get(cmd)
    if command is None:
        err("systemctl: simulated node does not support '%s'" % cmd)
        return 1
    return command(ctx, cmd, units, quiet)


def systemctl_query(ctx, cmd, units, quiet):
    """is-enabled, is-active: printed (unless --quiet) and as the exit code."""
    node = ctx.read_state()
    key = "enabled" if cmd == "is-enabled" else "active"
    rc = 0
    for u in units:
        on = u in node["units"][key]
        if not quiet:
            out(("enabled" if on else ("disabled" if unit_known(node, u) else "not-found")) if key == "enabled"
                else ("active" if on else "inactive"))
        rc = rc or (0 if on else (1 if key == "enabled" else 3))
    return rc


def systemctl_change(ctx, cmd, units, quiet):
    """enable, disable, start, stop, restart, daemon-reload, reload of known units."""
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for u in units:
            if not unit_known(node, u):
                err("Failed to %s unit: Unit file %s does not exist." % (cmd, u))
                return 1
        for u in units:
            if cmd == "enable" and u not in node["units"]["enabled"]:
                node["units"]["enabled"].append(u)
                err("Created symlink /etc/systemd/system/multi-user.target.wants/%s \u2192 /lib/systemd/system/%s."
                    % (u, re.sub(r"@[^.]*", "@", u)))
            elif cmd == "disable" and u in node["units"]["enabled"]:
                node["units"]["enabled"].remove(u)
            elif cmd in ("start", "restart") and u not in node["units"]["active"]:
                node["units"]["active"].append(u)
            elif cmd == "stop" and u in node["units"]["active"]:
                node["units"]["active"].remove(u)
    return 0


def systemctl_status(ctx, cmd, units, quiet):
    node = ctx.read_state()
    for u in units:
        out("\u25cf %s\n     Active: %s" % (u, "active (running)" if u in node["units"]["active"] else "inactive (dead)"))
    return 0


SYSTEMCTL_COMMANDS = {
    "is-enabled": systemctl_query, "is-active": systemctl_query, "enable": systemctl_change,
    "disable": systemctl_change, "start": systemctl_change, "stop": systemctl_change, "restart": systemctl_change,
    "daemon-reload": systemctl_change, "reload": systemctl_change, "status": systemctl_status,
}


def cmd_uname(ctx):
    node = ctx.read_state()
    vals = {"-s": "Linux", "-n": node["hostname"], "-r": KERNEL_RELEASE,
            "-v": "#23-Ubuntu SMP Mon Feb 10 2025", "-m": "x86_64", "-o": "GNU/Linux"}
    args = ctx.args or ["-s"]
    if "-a" in args or "--all" in args:
        args = ["-s", "-n", "-r", "-v", "-m", "-o"]
    res = []
    for a in args:
        if a.startswith("-") and not a.startswith("--") and len(a) > 2:
            res += [vals.get("-" + c, "") for c in a[1:]]
        else:
            res.append(vals.get(a, ""))
    out(" ".join(r for r in res if r))
    return 0


def cmd_hostname(ctx):
    node = ctx.read_state()
    if any(a in ("-f", "--fqdn", "--long") for a in ctx.args):
        out(node["hostname"] + "." + dns_suffix(node))
    elif any(a in ("-I", "--all-ip-addresses", "-i") for a in ctx.args):
        out(node["ip"])
    else:
        out(node["hostname"])
    return 0


def dns_suffix(node):
    return "ec2.internal" if node["region"] == "us-east-1" else "%s.compute.internal" % node["region"]
