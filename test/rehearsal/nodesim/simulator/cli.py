"""The command line: argv[1] is `fleet` (fleet.fleet_cli) or the simulated command's name, looked up
in COMMANDS (the node wrappers pass it); the rest are its arguments.
"""

import sys

from .cloud import cmd_aws, cmd_curl
from .context import Ctx
from .disks import cmd_blkid, cmd_findmnt, cmd_lsblk, cmd_mkfs_ext4, cmd_wipefs
from .drbdadm import cmd_drbdadm
from .drbdmeta import cmd_drbdmeta
from .drbdsetup import cmd_drbdsetup
from .fleet import fleet_cli
from .kernel_modules import cmd_lsmod, cmd_modinfo, cmd_modprobe
from .lvm_commands import cmd_lvchange, cmd_lvcreate, cmd_lvremove, cmd_pvcreate, cmd_vgcreate
from .lvm_report import cmd_lvs, cmd_pvs, cmd_vgs
from .packages import cmd_add_apt_repository, cmd_apt_get, cmd_dpkg, cmd_dpkg_query, cmd_snap
from .system import cmd_cloud_init, cmd_hostname, cmd_systemctl, cmd_uname


# Every name here needs a wrapper: constants.BASE_COMMANDS / DRBD_COMMANDS / ALL_COMMANDS.
COMMANDS = {
    "drbdadm": cmd_drbdadm, "drbdsetup": cmd_drbdsetup, "drbdmeta": cmd_drbdmeta,
    "apt-get": cmd_apt_get, "add-apt-repository": cmd_add_apt_repository, "dpkg-query": cmd_dpkg_query,
    "dpkg": cmd_dpkg, "snap": cmd_snap, "cloud-init": cmd_cloud_init, "systemctl": cmd_systemctl,
    "modprobe": cmd_modprobe, "modinfo": cmd_modinfo, "lsmod": cmd_lsmod, "uname": cmd_uname,
    "hostname": cmd_hostname, "curl": cmd_curl, "findmnt": cmd_findmnt, "lsblk": cmd_lsblk,
    "blkid": cmd_blkid, "wipefs": cmd_wipefs, "pvs": cmd_pvs, "vgs": cmd_vgs, "lvs": cmd_lvs,
    "pvcreate": cmd_pvcreate, "vgcreate": cmd_vgcreate, "lvcreate": cmd_lvcreate, "lvchange": cmd_lvchange,
    "lvremove": cmd_lvremove, "mkfs.ext4": cmd_mkfs_ext4, "aws": cmd_aws,
}


def main():
    """Entry point: argv[1] is the command name (the wrappers pass it), the rest its arguments."""
    if len(sys.argv) < 2:
        sys.stderr.write("usage: nodesim.py COMMAND [ARGS...]  (normally called through a node's bin wrappers)\n")
        return 2
    name, args = sys.argv[1], sys.argv[2:]
    sys.stdout.reconfigure(line_buffering=True)  # keep stdout/stderr order when both go to one file
    if name == "fleet":
        return fleet_cli(args)
    fn = COMMANDS.get(name)
    if fn is None:
        sys.stderr.write("nodesim: unknown command %s\n" % name)
        return 127
    ctx = Ctx(name, args)
    ctx.log_call()
    try:
        return fn(ctx)
    except BrokenPipeError:
        return 141
