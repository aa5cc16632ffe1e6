"""The command line: argv[1] is `fleet` (fleet.fleet_cli) or the simulated command's name, looked up
in constants.COMMANDS (the node wrappers pass it); the rest are its arguments.
"""

import importlib
import sys

from .constants import COMMANDS


def main():
    """Entry point: argv[1] is the command name (the wrappers pass it), the rest its arguments."""
    if len(sys.argv) < 2:
        sys.stderr.write("usage: nodesim.py COMMAND [ARGS...]  (normally called through a node's bin wrappers)\n")
        return 2
    name, args = sys.argv[1], sys.argv[2:]
    sys.stdout.reconfigure(line_buffering=True)  # keep stdout/stderr order when both go to one file
    if name == "fleet":
        from .fleet import fleet_cli
        return fleet_cli(args)
    where = COMMANDS.get(name)
    if where is None:
        sys.stderr.write("nodesim: unknown command %s\n" % name)
        return 127
    module, function = where
    fn = getattr(importlib.import_module("." + module, __package__), function)
    from .context import Ctx
    ctx = Ctx(name, args)
    ctx.log_call()
    try:
        return fn(ctx)
    except BrokenPipeError:
        return 141
