"""Packages: apt-get (update, install), add-apt-repository, dpkg-query, dpkg and snap; what
drbd-utils and the aws-cli snap install on the node.
"""

import os
import sys

from . import faults
from .constants import (ARCHIVE, DRBD_COMMANDS, DRBD_KMOD_VERSION, DRBD_UNIT_TEMPLATES, KERNEL_RELEASE, PPA,
                        PPA_PACKAGES, UBUNTU_CODENAME)
from .context import ensure_bin
from .output import err, out
from .storage import atomic_write


def cmd_dpkg_query(ctx):
    state = ctx.read_state()
    fmt = "${binary:Package}\t${Version}\n"
    pkgs = []
    args = list(ctx.args)
    i = 0
    show = False
    while i < len(args):
        a = args[i]
        if a in ("-W", "--show"):
            show = True
        elif a.startswith("-f="):
            fmt = a[3:]
        elif a.startswith("--showformat="):
            fmt = a.split("=", 1)[1]
        elif a in ("-f", "--showformat"):
            i += 1
            fmt = args[i]
        elif a in ("-s", "--status", "-l"):
            show = True
        elif not a.startswith("-"):
            pkgs.append(a)
        i += 1
    rc = 0
    for p in pkgs:
        v = state["packages"].get(p)
        if v is None:
            err("dpkg-query: no packages found matching %s" % p)
            rc = 1
            continue
        if show:
            text = fmt.replace("${Status}", "install ok installed").replace("${Version}", v) \
                .replace("${binary:Package}", p).replace("${Package}", p).replace("\\n", "\n").replace("\\t", "\t")
            sys.stdout.write(text)
    return rc


def cmd_dpkg(ctx):
    state = ctx.read_state()
    if ctx.args[:1] in (["-s"], ["--status"]) and len(ctx.args) > 1:
        v = state["packages"].get(ctx.args[1])
        if v is None:
            err("dpkg-query: package '%s' is not installed and no information is available" % ctx.args[1])
            return 1
        out("Package: %s\nStatus: install ok installed\nVersion: %s" % (ctx.args[1], v))
        return 0
    if ctx.args[:1] == ["-l"]:
        for p, v in sorted(state["packages"].items()):
            out("ii  %-40s %-30s amd64" % (p, v))
        return 0
    err("dpkg: simulated node supports only -s and -l")
    return 2


def cmd_add_apt_repository(ctx):
    repo = next((a for a in ctx.args if not a.startswith("-")), None)
    if repo is None:
        err("add-apt-repository: error: the following arguments are required: line")
        return 2
    ctx.sleep("add-apt-repository")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        node["repos"]["ppas"] = sorted(set(node["repos"].get("ppas", []) + [repo]))
        if "-n" not in ctx.args and "--no-update" not in ctx.args:
            node["repos"]["indexed"] = list(node["repos"]["ppas"])
    out("Repository: 'Types: deb\nURIs: https://ppa.launchpadcontent.net/linbit/linbit-drbd9-stack/ubuntu/\n"
        "Suites: %s\nComponents: main\n'\nDescription:\nLINBIT DRBD9 Stack\nAdding repository." % UBUNTU_CODENAME)
    return 0


def cmd_apt_get(ctx):
    args = list(ctx.args)
    ops, pkgs = [], []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-o":
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        (ops if not ops else pkgs).append(a)
        i += 1
    op = ops[0] if ops else ""
    state = ctx.read_state()
    operation = APT_GET_OPERATIONS.get(op)
    if operation is None:
        err("E: simulated apt-get supports update and install, got '%s'" % op)
        return 100
    return operation(ctx, state, pkgs)


def apt_get_update(ctx, state, pkgs):
    """apt-get update: the archive and every added PPA are indexed."""
    ctx.sleep("apt-update")
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        node["repos"]["indexed"] = list(node["repos"].get("ppas", []))
        node["repos"]["archiveIndexed"] = True
    out("Hit:1 http://archive.ubuntu.com/ubuntu %s InRelease" % UBUNTU_CODENAME)
    for n, ppa in enumerate(state["repos"].get("ppas", []), 2):
        out("Get:%d https://ppa.launchpadcontent.net/linbit/linbit-drbd9-stack/ubuntu %s InRelease [24.3 kB]"
            % (n, UBUNTU_CODENAME))
    out("Reading package lists...")
    return 0


def apt_get_install(ctx, state, pkgs):
    """apt-get install: archive packages, PPA packages once the PPA is indexed; drbd-dkms builds the
    module (with the kernel headers), drbd-utils puts drbdadm/drbdsetup/drbdmeta on the node."""
    out("Reading package lists...\nBuilding dependency tree...\nReading state information...")
    if faults.value(state, faults.INSTALL_FAILS):
        ctx.sleep("apt-install-pkg", 2)
        err("E: Failed to fetch https://ppa.launchpadcontent.net/linbit/linbit-drbd9-stack/ubuntu/pool/main/d/"
            "drbd/drbd-dkms_%s_all.deb  503  Service Unavailable [IP: 185.125.190.80 443]\n"
            "E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?"
            % PPA_PACKAGES["drbd-dkms"])
        return 100
    ppa_ready = PPA in state["repos"].get("indexed", [])
    versions = {}
    for p in pkgs:
        if ppa_ready and p in PPA_PACKAGES:
            versions[p] = PPA_PACKAGES[p]
        elif p in ARCHIVE:
            versions[p] = ARCHIVE[p]
        elif p in state["packages"]:
            versions[p] = state["packages"][p]
        else:
            err("E: Unable to locate package %s" % p)
            return 100
    new = [p for p in pkgs if state["packages"].get(p) != versions[p]]
    out("The following NEW packages will be installed:\n  %s" % " ".join(new))
    out("0 upgraded, %d newly installed, 0 to remove and 0 not upgraded." % len(new))
    for p in new:
        ctx.sleep("dkms-build" if p == "drbd-dkms" else "apt-install-pkg")
        for line in apt_install_lines(p, versions[p]):
            out(line)
    with ctx.world(settle_drbd=False) as w:
        node = w.node(ctx.node_id)
        for p in new:
            node["packages"][p] = versions[p]
        if "drbd-dkms" in new and "linux-headers-" + KERNEL_RELEASE in node["packages"]:
            node["modules"]["drbd"] = DRBD_KMOD_VERSION
        if "drbd-utils" in new:
            ensure_bin(ctx, DRBD_COMMANDS)
            node["units"]["templates"] = sorted(set(node["units"].get("templates", []) + DRBD_UNIT_TEMPLATES))
            write_global_common(ctx)
    out("Processing triggers for man-db (2.12.0-4build2) ...")
    return 0


APT_GET_OPERATIONS = {"update": apt_get_update, "install": apt_get_install}


def apt_install_lines(pkg, version):
    lines = ["Get:1 http://archive.ubuntu.com/ubuntu %s/main amd64 %s amd64 %s [412 kB]" % (UBUNTU_CODENAME, pkg, version),
             "Selecting previously unselected package %s." % pkg,
             "(Reading database ... 71234 files and directories currently installed.)",
             "Preparing to unpack .../%s_%s_amd64.deb ..." % (pkg, version),
             "Unpacking %s (%s) ..." % (pkg, version), "Setting up %s (%s) ..." % (pkg, version)]
    if pkg == "drbd-dkms":
        lines += ["Loading new drbd-%s DKMS files..." % DRBD_KMOD_VERSION,
                  "Building for %s" % KERNEL_RELEASE,
                  "Building initial module for %s" % KERNEL_RELEASE]
        lines += ["  CC [M]  /var/lib/dkms/drbd/%s/build/src/drbd/drbd_%s.o" % (DRBD_KMOD_VERSION, n)
                  for n in ("bitmap", "proc", "sender", "receiver", "req", "actlog", "main", "strings", "nl",
                            "interval", "state", "nla", "debugfs", "transport", "kref_debug", "sysfs")]
        lines += ["Done.", "", "drbd.ko:", "Running module version sanity check.",
                  " - Original module", "   - No original module exists within this kernel",
                  " - Installation", "   - Installing to /lib/modules/%s/updates/dkms/" % KERNEL_RELEASE,
                  "depmod....", "DKMS: install completed."]
    return lines


def write_global_common(ctx):
    """/etc/drbd.d/global_common.conf as drbd-utils ships it (plus disable-ip-verification: the
    simulated node's address is not on this machine, and the real drbdadm checks it at up)."""
    conf_dir = os.path.join(ctx.root, "etc", "drbd.d")
    os.makedirs(conf_dir, exist_ok=True)
    path = os.path.join(conf_dir, "global_common.conf")
    if not os.path.exists(path):
        atomic_write(path, "# DRBD is the result of over a decade of development by LINBIT.\n"
                           "global {\n\tusage-count no;\n\tudev-always-use-vnr;\n"
                           "\t# nodesim: the simulated node's address is not configured on this machine\n"
                           "\tdisable-ip-verification;\n}\n\ncommon {\n\thandlers {\n\t}\n\tstartup {\n\t}\n"
                           "\toptions {\n\t}\n\tdisk {\n\t}\n\tnet {\n\t}\n}\n")


def cmd_snap(ctx):
    if ctx.args[:1] == ["install"] and len(ctx.args) > 1:
        name = ctx.args[1]
        if name != "aws-cli":
            err('error: snap "%s" not found' % name)
            return 1
        ctx.sleep("snap-install")
        with ctx.world(settle_drbd=False) as w:
            node = w.node(ctx.node_id)
            node["snaps"][name] = "2.17.20"
            ensure_bin(ctx, ["aws"])
        out("aws-cli (v2/stable) 2.17.20 from Amazon Web Services (aws\u2713) installed")
        return 0
    if ctx.args[:1] == ["list"]:
        for n, v in sorted(ctx.read_state()["snaps"].items()):
            out("%-16s %-10s" % (n, v))
        return 0
    err("error: simulated snap supports install and list")
    return 1
