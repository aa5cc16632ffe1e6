"""One simulated command on one node (Ctx): its node, its log line, its durations and paths;
the fleet lock (locked_world) and the commands installed in a node's bin directory.
"""

import fcntl
import json
import os
import re
import sys
import time

from . import faults
from .constants import DURATION, SECRET_DEFAULT
from .storage import World


def settle(world):
    """drbd_peers.settle, imported when a lock is taken for DRBD: commands that never touch DRBD
    (uname, lvs, apt-get...) do not load the DRBD modules."""
    from .drbd_peers import settle as settle_fleet
    settle_fleet(world)


class locked_world:
    """`with locked_world(dir) as w:` the fleet's states under its exclusive fcntl lock; settled
    (links, handshakes, resyncs) before and after the block, changed states saved atomically."""

    def __init__(self, fleet_dir, settle_drbd=True):
        self.fleet_dir = fleet_dir
        self.settle_drbd = settle_drbd

    def __enter__(self):
        self.lock = open(os.path.join(self.fleet_dir, "fleet.lock"), "a+")
        fcntl.lockf(self.lock, fcntl.LOCK_EX)
        self.world = World(self.fleet_dir)
        if self.settle_drbd:
            settle(self.world)
        return self.world

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                if self.settle_drbd:
                    settle(self.world)
                self.world.save()
        finally:
            fcntl.lockf(self.lock, fcntl.LOCK_UN)
            self.lock.close()
        return False


class Ctx:
    """One simulated command on one node."""

    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.fleet_dir = os.environ.get("NODESIM_FLEET")
        self.node_id = os.environ.get("NODESIM_NODE")
        if not self.fleet_dir or not self.node_id:
            sys.stderr.write("%s: nodesim needs NODESIM_FLEET and NODESIM_NODE\n" % name)
            sys.exit(127)
        self.node_dir = os.path.join(self.fleet_dir, "nodes", self.node_id)
        self.root = os.path.join(self.node_dir, "root")
        self.nested = os.environ.get("NODESIM_NESTED", "")
        with open(os.path.join(self.fleet_dir, "fleet.json")) as f:
            self.fleet = json.load(f)

    def log_call(self):
        secret = self.fleet.get("secret", SECRET_DEFAULT)
        parts = []
        for a in [self.name] + list(self.args):
            a = re.sub(r"(--shared-secret=).*", r"\1***", a)
            parts.append(a.replace(secret, "***"))
        line = ("  " if self.nested else "") + " ".join(parts) + "\n"
        with open(os.path.join(self.node_dir, "calls.log"), "a") as f:
            f.write(line)

    def world(self, settle_drbd=True):
        return locked_world(self.fleet_dir, settle_drbd)

    def read_state(self):
        """This node's state without the lock (read-only commands)."""
        with open(os.path.join(self.node_dir, "state.json")) as f:
            return json.load(f)

    def sleep(self, key, factor=1.0):
        state = self.read_state()
        scale = float(self.fleet.get("timeScale", 0.01)) * float(faults.value(state, faults.SLOW_FACTOR))
        d = DURATION[key] * factor * scale
        if d > 0:
            time.sleep(d)

    def host_path(self, dev):
        """Sandbox path of a node path such as /dev/drbdpool/r0."""
        return self.root + dev if dev.startswith("/") else dev

    def node_path(self, path):
        """Node path (/dev/...) of a sandbox or node path, following sandbox symlinks."""
        p = os.path.normpath(path)
        if p.startswith("/dev/") and not p.startswith(self.root):
            p = self.root + p
        if p.startswith(self.root + "/"):
            real = os.path.realpath(p)
            if real.startswith(self.root + "/"):
                p = real
            p = p[len(self.root):]
        m = re.match(r"^/dev/mapper/((?:[^-]|--)+)-((?:[^-]|--)+)$", p)
        if m:
            p = "/dev/%s/%s" % (m.group(1).replace("--", "-"), m.group(2).replace("--", "-"))
        return p


def ensure_bin(ctx_or_dir, names, present=True):
    """Install (or remove) commands in a node's bin directory: links to the fleet's wrappers."""
    bin_dir = ctx_or_dir if isinstance(ctx_or_dir, str) else os.path.join(ctx_or_dir.node_dir, "bin")
    fleet_dir = os.path.dirname(os.path.dirname(os.path.dirname(bin_dir)))
    for n in names:
        link = os.path.join(bin_dir, n)
        if present and not os.path.lexists(link):
            os.symlink(os.path.join(fleet_dir, "sim", n), link)
        elif not present and os.path.lexists(link):
            os.unlink(link)
