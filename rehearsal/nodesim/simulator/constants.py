"""Fixed facts of the simulated Ubuntu node: versions, packages, durations, command names.
"""


KERNEL_RELEASE = "6.8.0-1021-aws"
DRBD_KMOD_VERSION = "9.2.12"
INTREE_DRBD_VERSION = "8.4.11"
UBUNTU_CODENAME = "noble"
PPA = "ppa:linbit/linbit-drbd9-stack"
SECRET_DEFAULT = "RehearsalSharedSecret0123456789"
DRBD_UNIT_TEMPLATES = ["drbd@.service", "drbd@.target", "drbd-lvchange@.service",
                       "drbd-promote@.service", "drbd-wait-promotable@.service",
                       "drbd-services@.target", "drbd-reconfigure-suspend-or-error@.service"]
# Base durations in seconds (multiplied by timeScale * slowFactor).
DURATION = {
    "apt-update": 4.0, "apt-install-pkg": 1.5, "dkms-build": 45.0, "add-apt-repository": 3.0,
    "snap-install": 6.0, "modprobe": 0.5, "lvm": 0.5, "create-md": 1.0, "attach": 0.3,
    "resync-full": 60.0, "resync-bitmap": 6.0,
}
# Packages of the archive (name -> version); PPA packages need add-apt-repository + update.
ARCHIVE = {
    "jq": "1.7.1-3build1", "thin-provisioning-tools": "0.9.0-2ubuntu5",
    "software-properties-common": "0.99.49.1", "linux-headers-" + KERNEL_RELEASE: "6.8.0-1021.23",
    "drbd-utils": "9.22.0-1.1ubuntu1",  # Ubuntu's own (no drbd-dkms in the archive)
}
PPA_PACKAGES = {"drbd-dkms": DRBD_KMOD_VERSION + "-1ppa1~noble1", "drbd-utils": "9.29.0-1ppa1~noble1"}
BASE_PACKAGES = {
    "software-properties-common": "0.99.49.1", "lvm2": "2.03.16-3ubuntu3", "multipath-tools":
    "0.9.4-5ubuntu8", "curl": "8.5.0-2ubuntu10", "snapd": "2.63+24.04", "cloud-init": "24.1.3",
    "util-linux": "2.39.3-9ubuntu6", "kmod": "31+20240202-2ubuntu7",
}
# Simulated command -> (module of this package, function), for cli.main. Every call is a new python3
# process, so only the module of the command that runs is imported (all of them would cost ~4 ms a call).
# `fleet init` writes a wrapper for every name here; a node links the ones it has (constants.BASE_COMMANDS
# from the start, a package's commands such as constants.DRBD_COMMANDS when it is installed).
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
    "pvresize": ("lvm_commands", "cmd_pvresize"),
    "lvextend": ("lvm_commands", "cmd_lvextend"),
    "lvchange": ("lvm_commands", "cmd_lvchange"),
    "lvremove": ("lvm_commands", "cmd_lvremove"),
    "mkfs.ext4": ("disks", "cmd_mkfs_ext4"),
    "aws": ("cloud", "cmd_aws"),
}
BASE_COMMANDS = [
    "apt-get", "add-apt-repository", "dpkg-query", "dpkg", "snap", "cloud-init", "systemctl",
    "modprobe", "modinfo", "lsmod", "uname", "hostname", "curl", "findmnt", "lsblk", "blkid", "wipefs",
    "pvs", "vgs", "lvs", "pvcreate", "vgcreate", "lvcreate", "pvresize", "lvextend", "lvchange", "lvremove",
    "mkfs.ext4",
]
DRBD_COMMANDS = ["drbdadm", "drbdsetup", "drbdmeta"]
# Host tools linked into the fleet's hostbin (the rest of a minimal Ubuntu userland).
HOST_TOOLS = [
    "bash", "sh", "dash", "jq", "grep", "egrep", "fgrep", "sed", "awk", "mawk", "gawk", "cat", "cp",
    "mv", "rm", "ln", "ls", "mkdir", "rmdir", "chmod", "chown", "touch", "date", "sleep", "env",
    "printf", "echo", "test", "[", "true", "false", "head", "tail", "tr", "cut", "sort", "uniq",
    "wc", "paste", "tee", "xargs", "find", "basename", "dirname", "readlink", "realpath", "stat",
    "mktemp", "base64", "sha256sum", "md5sum", "od", "id", "whoami", "seq", "expr", "timeout",
    "nproc", "sync", "diff", "cmp", "column", "gzip", "tar", "flock", "logger", "getent",
]
