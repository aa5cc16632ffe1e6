#!/usr/bin/env python3
"""nodesim: the simulated Ubuntu replica nodes of the rehearsal (python3 stdlib only).

The stable entry point. The Java NodeFleet runs `python3 -E -s nodesim.py fleet <op> ...`; the
command wrappers `fleet init` writes put this directory on sys.path, import this module and call
main(). The simulation is the package simulator/ next to this file (see README.md).
"""

import os
import sys

# -E ignores PYTHONPATH: the package is found next to this file, however python3 was started.
_HERE = os.path.dirname(os.path.abspath(__file__))
if sys.path[:1] != [_HERE]:
    sys.path.insert(0, _HERE)

from simulator.cli import main  # noqa: E402  (after the sys.path entry above)

if __name__ == "__main__":
    sys.exit(main() or 0)
