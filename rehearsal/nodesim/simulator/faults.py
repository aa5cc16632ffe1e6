"""The faults of one simulated node. Their one list is ../faults.json (names, types, the healthy
value, what each does); the Java NodeFaults record is checked against it by NodeFaultsTest, and
the names below are checked against it when this module is imported, so a fault one side knows
and the other does not stops every nodesim call instead of being ignored."""

import json
import os

INSTALL_FAILS = "installFails"
FOREIGN_FILESYSTEM = "foreignFilesystem"
SLOW_FACTOR = "slowFactor"
IN_TREE_DRBD84 = "inTreeDrbd84"
SECRET_UNREADABLE = "secretUnreadable"

CATALOG_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "faults.json")
with open(CATALOG_FILE) as _f:
    CATALOG = json.load(_f)["faults"]

_NAMED = {INSTALL_FAILS, FOREIGN_FILESYSTEM, SLOW_FACTOR, IN_TREE_DRBD84, SECRET_UNREADABLE}
if _NAMED != set(CATALOG):
    raise SystemExit("nodesim: simulator/faults.py names the faults %s, %s names %s"
                     % (sorted(_NAMED), CATALOG_FILE, sorted(CATALOG)))

_TYPES = {"boolean": lambda v: isinstance(v, bool),
          "string": lambda v: isinstance(v, str),
          "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}


def parse(text):
    """The faults of `fleet add-node --faults JSON`: only names of faults.json, each of its type
    (null where the healthy value is null); a name left out is healthy."""
    given = json.loads(text or "{}")
    unknown = sorted(set(given) - set(CATALOG))
    if unknown:
        raise SystemExit("unknown fault(s) %s: %s names %s" % (unknown, CATALOG_FILE, sorted(CATALOG)))
    for name, v in given.items():
        spec = CATALOG[name]
        if not (_TYPES[spec["type"]](v) or (v is None and spec["healthy"] is None)):
            raise SystemExit("fault %s must be a %s, got %r" % (name, spec["type"], v))
    return given


def value(node, name):
    """The node's value of one fault (the node's state or its fleet entry), healthy when unset."""
    return node.get("faults", {}).get(name, CATALOG[name]["healthy"])
