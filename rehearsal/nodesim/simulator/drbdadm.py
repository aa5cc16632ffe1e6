"""drbdadm: the real drbd-utils /usr/sbin/drbdadm run with the node's drbd.conf against the
simulated drbdsetup and drbdmeta (its output made to look as on the node).
"""

import os
import re
import sys

from .output import err
from .storage import atomic_write


REAL_DRBDADM = os.environ.get("NODESIM_REAL_DRBDADM", "/usr/sbin/drbdadm")


NOISE = re.compile(r"^(\s*found __DRBD_NODE__ in environment|\s*PRETENDING that I am >>.*<<|sh: \d+: modinfo: not found)\s*$")


def node_conf(ctx):
    """The node's /etc/drbd.conf (in the sandbox): global_common.conf and every *.res."""
    conf_dir = os.path.join(ctx.root, "etc", "drbd.d")
    path = os.path.join(ctx.root, "etc", "drbd.conf")
    text = 'include "%s/global_common.conf";\ninclude "%s/*.res";\n' % (conf_dir, conf_dir)
    try:
        with open(path) as f:
            if f.read() == text:
                return path
    except OSError:
        pass
    atomic_write(path, text)
    return path


def cmd_drbdadm(ctx):
    args = list(ctx.args)
    state = ctx.read_state()
    bin_dir = os.path.join(ctx.node_dir, "bin")
    if not os.path.exists(REAL_DRBDADM):
        err("nodesim: %s (drbd-utils) is missing on this machine; the rehearsal needs it" % REAL_DRBDADM)
        return 20
    has_conf = False
    i = 0
    while i < len(args):
        if args[i] in ("-c", "--config-file") or args[i].startswith("--config-file="):
            has_conf = True
            break
        if not args[i].startswith("-"):
            break
        i += 1
    real = [REAL_DRBDADM]
    if not has_conf:
        real += ["-c", node_conf(ctx)]
    real += ["-s", os.path.join(bin_dir, "drbdsetup"), "-m", os.path.join(bin_dir, "drbdmeta")] + args
    env = dict(os.environ)
    env.update({"__DRBD_NODE__": state["hostname"], "DRBD_DONT_WARN_ON_VERSION_MISMATCH": "1",
                "NODESIM_NESTED": "drbdadm"})
    import subprocess
    proc = subprocess.run(real, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    cmd = next((a for a in args if not a.startswith("-")), "")
    if cmd in ("sh-ll-dev", "sh-md-dev", "sh-dev") and proc.returncode == 0:
        stdout = "".join(ctx.host_path(l) + "\n" if l.startswith("/dev/") else l + "\n" for l in stdout.splitlines())
    if "-d" in args or "--dry-run" in args:
        stdout = stdout.replace(os.path.join(bin_dir, "drbdsetup"), "drbdsetup").replace(
            os.path.join(bin_dir, "drbdmeta"), "drbdmeta")
    stderr = stderr.replace(os.path.join(bin_dir, "drbdsetup"), "drbdsetup").replace(
        os.path.join(bin_dir, "drbdmeta"), "drbdmeta")
    kept = [l for l in stderr.splitlines() if not NOISE.match(l)]
    while kept and not kept[0].strip():
        kept.pop(0)
    sys.stdout.write(stdout)
    if kept:
        err("\n".join(kept))
    return proc.returncode
