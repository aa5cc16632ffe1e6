"""The command line: argv[1] is `fleet` (fleet.fleet_cli) or the simulated command's name, looked up
in COMMANDS (the node wrappers pass it); the rest are its arguments.
"""

import importlib
import sys

# Simulated command -> (module of this package, function). Every call is a new python3 process, so
# only the module of the command that runs is imported (all of them would cost ~4 ms a call).
# Every name here needs a wrapper: constants.BASE_COMMANDS / DRBD_COMMANDS / ALL_COMMANDS.
COMMANDS = {
    "drbdadm": ("drbdadm", "cmd_drbdadm"),
    "drbdsetup": ("drbdsetup", "cmd_drbdsetup"),
    "drbdmeta": ("drbdmeta", "cmd_drbdmeta"),
    "apt-get": ("packages", "cmd_apt_get"),
    "add-apt-repository": ("packages", "cmd_add_apt_repository"),
    "dpkg-query": ("packages", "cmd_dpkg_query"),
    "dpkg": ("packages", "cmd_dpkg"),
    "snap": ("packages", "cmd_snap"),
    "cloud-init": ("system", "cmd_cloud_init"),
    "systemctl": ("system", "cmd_systemctl"),
    "modprobe": ("kernel_modules", "cmd_modprobe"),
    "modinfo": ("kernel_modules", "cmd_modinfo"),
    "lsmod": ("kernel_modules", "cmd_lsmod"),
    "uname": ("system", "cmd_uname"),
    "hostname": ("system", "cmd_hostname"),
    "curl": ("cloud", "cmd_curl"),
    "findmnt": ("disks", "cmd_findmnt"),
    "lsblk": ("disks", "cmd_lsblk"),
    "blkid": ("disks", "cmd_blkid"),
    "wipefs": ("disks", "cmd_wipefs"),
    "pvs": ("lvm_report", "cmd_pvs"),
    "vgs": ("lvm_report", "cmd_vgs"),
    "lvs": ("lvm_report", "cmd_lvs"),
    "pvcreate": ("lvm_commands", "cmd_pvcreate"),
    "vgcreate": ("lvm_commands", "cmd_vgcreate"),
    "lvcreate": ("lvm_commands", "cmd_lvcreate"),
    "lvchange": ("lvm_commands", "cmd_lvchange"),
    "lvremove": ("lvm_commands", "cmd_lvremove"),
    "mkfs.ext4": ("disks", "cmd_mkfs_ext4"),
    "aws": ("cloud", "cmd_aws"),
}


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
