"""The fleet's state on disk: every node's state.json loaded and saved as a whole (World),
written atomically; the clock and the node's kernel log.
"""

import json
import os
import time

from . import faults


def now():
    return time.time()


def atomic_write(path, text):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def kernel_event(node, line):
    node.setdefault("kernelEvents", []).append(line)


class World:
    """All node states of a fleet, loaded under the fleet lock; changed ones are saved."""

    def __init__(self, fleet_dir):
        self.dir = fleet_dir
        with open(os.path.join(fleet_dir, "fleet.json")) as f:
            self.fleet = json.load(f)
        self.states = {}
        self.originals = {}

    def node_ids(self):
        d = os.path.join(self.dir, "nodes")
        return sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n, "state.json")))

    def node(self, node_id):
        if node_id not in self.states:
            path = os.path.join(self.dir, "nodes", node_id, "state.json")
            with open(path) as f:
                text = f.read()
            self.states[node_id] = json.loads(text)
            self.originals[node_id] = text
        return self.states[node_id]

    def all_nodes(self):
        return [self.node(n) for n in self.node_ids()]

    def save(self):
        for node_id, state in self.states.items():
            text = json.dumps(state, indent=1, sort_keys=True)
            if text != self.originals.get(node_id):
                atomic_write(os.path.join(self.dir, "nodes", node_id, "state.json"), text)
                self.originals[node_id] = text

    def scale(self, node=None):
        s = float(self.fleet.get("timeScale", 0.01))
        if node is not None:
            s *= float(faults.value(node, faults.SLOW_FACTOR))
        return s
