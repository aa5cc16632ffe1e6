"""Fleet administration for the Java NodeFleet: `nodesim.py fleet <op> --fleet DIR ...` with op
init | add-node [--data-volume-id vol-...] | resize-disk | terminate | reboot | snapshot | network |
write | app-write | app-close | device-views (FLEET_OPERATIONS); each prints one JSON object (write and app-write exit 1 when the
write fails).
"""

import json
import os
import re
import sys

from . import faults
from .application_write import app_close, app_write, app_write_blocks
from .constants import BASE_COMMANDS, BASE_PACKAGES, COMMANDS, DRBD_COMMANDS, HOST_TOOLS, SECRET_DEFAULT
from .context import ensure_bin, locked_world
from .drbd_kernel import alive, data_md, dev0, device_kib, drop_kernel, has_quorum, held_open, kernel_resources, link_key
from .drbd_resync import observe_syncs
from .drbd_status import peer_view
from .drbdadm import REAL_DRBDADM
from .lvm_model import EXTENT_KIB, THIN_CHUNK_KIB, lv_extents, pool_used_kib, thin_lv_kib
from .metadata import fmt_uuid
from .output import out
from .storage import atomic_write


def volume_id(instance_id, what):
    import hashlib
    return "vol-" + hashlib.sha256(("%s/%s" % (instance_id, what)).encode()).hexdigest()[:17]


def fleet_init(a):
    d = a["fleet"]
    os.makedirs(os.path.join(d, "nodes"), exist_ok=True)
    sim, hostbin = os.path.join(d, "sim"), os.path.join(d, "hostbin")
    os.makedirs(sim, exist_ok=True)
    os.makedirs(hostbin, exist_ok=True)
    import shlex
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # where nodesim.py is
    py = a.get("python") or sys.executable
    # Imported as a module (not run as a script) so its bytecode is cached, in the fleet directory.
    boot = "import sys; sys.path.insert(0, %r); import nodesim; sys.exit(nodesim.main())" % here
    unsimulated = sorted(set(BASE_COMMANDS + DRBD_COMMANDS) - set(COMMANDS))
    if unsimulated:
        raise SystemExit("nodesim: %s named as node commands but not in COMMANDS" % unsimulated)
    for n in COMMANDS:  # a wrapper for every simulated command; nodes link those they have
        atomic_write(os.path.join(sim, n), "#!/bin/sh\nexec %s -E -s -X pycache_prefix=%s -c %s %s \"$@\"\n"
                     % (shlex.quote(py), shlex.quote(os.path.join(d, "pycache")), shlex.quote(boot), shlex.quote(n)))
        os.chmod(os.path.join(sim, n), 0o755)
    # Host tools as wrapper scripts (not symlinks: the sandbox holds no link out of itself).
    for t in HOST_TOOLS:
        for base in ("/usr/bin", "/bin"):
            p = os.path.join(base, t)
            if os.path.exists(p):
                if not os.path.exists(os.path.join(hostbin, t)):
                    atomic_write(os.path.join(hostbin, t), "#!/bin/sh\nexec %s \"$@\"\n" % shlex.quote(p))
                    os.chmod(os.path.join(hostbin, t), 0o755)
                break
    fleet = {"timeScale": float(a.get("time-scale", 0.01)), "secret": a.get("secret", SECRET_DEFAULT),
             "region": a.get("region", "us-east-1")}
    atomic_write(os.path.join(d, "fleet.json"), json.dumps(fleet, indent=1))
    open(os.path.join(d, "fleet.lock"), "a").close()
    return {"fleet": d, "sim": sim, "hostbin": hostbin, "realDrbdadm": os.path.exists(REAL_DRBDADM)}


# drbd-up's and drbd-skip-initial-sync's bounded wait for their peers (ssm-documents/lib/prelude.bash,
# DRBD_PEER_WAIT_SECONDS, default 20 s): an AWS duration, so the fleet's time scale compresses it
# like every other one, but not below PEER_WAIT_MIN_SECONDS: the wait's deadline counts bash's whole
# SECONDS (1 s may end at once), and the peers' part of the step is simulated commands, each a new
# process, whose cost does not shrink with the scale (compressed further, a report that AWS's 20 s
# would see settled comes back unsettled and costs an observation round no real run makes).
PEER_WAIT_AWS_SECONDS = 20
PEER_WAIT_MIN_SECONDS = 3


def node_env(fleet_dir, node):
    nd = os.path.join(fleet_dir, "nodes", node["instanceId"])
    root = os.path.join(nd, "root")
    with open(os.path.join(fleet_dir, "fleet.json")) as f:
        scale = float(json.load(f).get("timeScale", 0.01))
    return {
        "DRBD_PEER_WAIT_SECONDS": str(max(PEER_WAIT_MIN_SECONDS, int(round(PEER_WAIT_AWS_SECONDS * scale)))),
        "PATH": "%s:%s" % (os.path.join(nd, "bin"), os.path.join(fleet_dir, "hostbin")),
        "HOME": os.path.join(root, "root"), "TMPDIR": os.path.join(root, "tmp"), "LANG": "C.UTF-8",
        "SHELL": "/bin/bash", "USER": "root", "LOGNAME": "root",
        "DRBD_CONF_DIR": os.path.join(root, "etc", "drbd.d"),
        "DRBD_STATE_DIR": os.path.join(root, "var", "lib", "drbd-multiaz"),
        "DISK_BY_ID_DIR": os.path.join(root, "dev", "disk", "by-id"),
        "SYS_MODULE_DIR": os.path.join(root, "sys", "module"),
        "AWS_SSM_INSTANCE_ID": node["instanceId"], "AWS_SSM_REGION_NAME": node["region"],
        "NODESIM_FLEET": fleet_dir, "NODESIM_NODE": node["instanceId"],
    }


def fleet_add_node(a):
    d = a["fleet"]
    iid = a["instance-id"]
    nd = os.path.join(d, "nodes", iid)
    if os.path.exists(os.path.join(nd, "state.json")):
        raise SystemExit("node %s exists already" % iid)
    node_faults = faults.parse(a.get("faults"))
    with open(os.path.join(d, "fleet.json")) as f:
        fleet = json.load(f)
    root = os.path.join(nd, "root")
    for sub in ("etc/drbd.d", "var/lib/drbd-multiaz", "dev/disk/by-id", "sys/module", "tmp", "root"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    os.makedirs(os.path.join(nd, "bin"), exist_ok=True)
    ensure_bin(os.path.join(nd, "bin"), BASE_COMMANDS)
    root_vol, data_vol = volume_id(iid, "root"), a.get("data-volume-id") or volume_id(iid, "data")
    if not re.match(r"^vol-[0-9a-f]{8,17}$", data_vol):
        raise SystemExit("--data-volume-id must be an EBS volume id vol-<8 to 17 hex digits>, got %r" % data_vol)
    for dev in ("nvme0n1", "nvme0n1p1", "nvme1n1"):
        open(os.path.join(root, "dev", dev), "a").close()
    by_id = os.path.join(root, "dev", "disk", "by-id")
    links = {
        "nvme-Amazon_Elastic_Block_Store_%s" % root_vol.replace("-", ""): "../../nvme0n1",
        "nvme-Amazon_Elastic_Block_Store_%s_1" % root_vol.replace("-", ""): "../../nvme0n1",
        "nvme-Amazon_Elastic_Block_Store_%s-part1" % root_vol.replace("-", ""): "../../nvme0n1p1",
        "nvme-Amazon_Elastic_Block_Store_%s" % data_vol.replace("-", ""): "../../nvme1n1",
        "nvme-Amazon_Elastic_Block_Store_%s_1" % data_vol.replace("-", ""): "../../nvme1n1",
        "nvme-nvme.1d0f-%s" % data_vol.replace("-", "").encode().hex()[:40]: "../../nvme1n1",
    }
    for name, target in links.items():
        os.symlink(target, os.path.join(by_id, name))
    az = a["az"]
    state = {
        "instanceId": iid, "hostname": a["hostname"], "ip": a["ip"], "az": az,
        "region": re.sub(r"[a-z]$", "", az) if re.match(r"^[a-z]{2}-[a-z]+-\d[a-z]$", az) else fleet["region"],
        "terminated": False, "boots": 1, "faults": node_faults,
        "packages": dict(BASE_PACKAGES), "repos": {"ppas": [], "indexed": []}, "snaps": {"amazon-ssm-agent": "3.3.1142.0"},
        "modules": {}, "module": None,
        "units": {"known": ["multipathd.service", "snapd.service", "ssh.service", "snap.amazon-ssm-agent.amazon-ssm-agent.service"],
                  "templates": [], "enabled": ["multipathd.service", "snapd.service", "ssh.service"],
                  "active": ["multipathd.service", "snapd.service", "ssh.service",
                             "snap.amazon-ssm-agent.amazon-ssm-agent.service"]},
        "disks": {"/dev/nvme0n1": {"volumeId": root_vol, "sizeGiB": 8, "root": True, "signature": "gpt"},
                  "/dev/nvme1n1": {"volumeId": data_vol, "sizeGiB": float(a.get("data-gib", 100)), "root": False,
                                   "signature": node_faults.get(faults.FOREIGN_FILESYSTEM) or None}},
        "lvm": {"pvs": {}, "vgs": {}, "lvs": {}}, "md": {}, "kernel": {"resources": {}},
        "counters": {"createMd": 0, "syncSkip": 0},
    }
    with locked_world(d, settle_drbd=False):
        atomic_write(os.path.join(nd, "state.json"), json.dumps(state, indent=1, sort_keys=True))
    open(os.path.join(nd, "calls.log"), "a").close()
    return {"instanceId": iid, "dir": nd, "dataVolumeId": data_vol, "rootVolumeId": root_vol,
            "environment": node_env(d, state)}


def fleet_resize_disk(a):
    """--instance-id I --gib N: the node's data volume grew in place (EC2 ModifyVolume, then the NVMe
    disk's new capacity): lsblk, blkid and pvs see N GiB; LVM and DRBD on it keep their sizes until
    pvresize/lvextend and drbdsetup resize. EBS never shrinks a volume: a smaller N is refused (exit 1,
    nothing changed); the same N changes nothing."""
    iid = a["instance-id"]
    if not re.match(r"^[1-9][0-9]{0,4}$", a.get("gib", "")):
        raise SystemExit("--gib must be a whole number of GiB (1..99999), got %r" % a.get("gib"))
    gib = int(a["gib"])
    with locked_world(a["fleet"], settle_drbd=False) as w:
        node = w.node(iid)
        if node.get("terminated"):
            raise SystemExit("node %s is terminated" % iid)
        data = [(dev, d) for dev, d in sorted(node["disks"].items()) if not d.get("root")]
        if len(data) != 1:
            raise SystemExit("node %s has %d data disks, not one" % (iid, len(data)))
        dev, disk = data[0]
        before = float(disk["sizeGiB"])
        if gib < before:
            raise SystemExit("Refused: the data volume %s of %s is %g GiB; a volume cannot shrink to %d GiB"
                             % (disk["volumeId"], iid, before, gib))
        disk["sizeGiB"] = float(gib)
    return {"instanceId": iid, "device": dev, "volumeId": disk["volumeId"], "previousGiB": before,
            "sizeGiB": float(gib), "changed": gib > before}


def fleet_terminate(a):
    with locked_world(a["fleet"]) as w:
        node = w.node(a["instance-id"])
        drop_kernel(node)
        node["terminated"] = True
        node["module"] = None
    return {"instanceId": a["instance-id"], "terminated": True}


def fleet_reboot(a):
    iid = a["instance-id"]
    with locked_world(a["fleet"]) as w:
        node = w.node(iid)
        if node.get("terminated"):
            raise SystemExit("node %s is terminated" % iid)
        drop_kernel(node)
        node["boots"] = node.get("boots", 1) + 1
        # drbd-dkms installs the module for the running kernel; the drbd units load it at boot.
        v = node.get("modules", {}).get("drbd")
        node["module"] = {"version": v} if v and node.get("module") else None
        mod = os.path.join(a["fleet"], "nodes", iid, "root", "sys", "module", "drbd", "version")
        if node["module"]:
            os.makedirs(os.path.dirname(mod), exist_ok=True)
            atomic_write(mod, v + "\n")
        elif os.path.exists(mod):
            os.unlink(mod)
        boot_resources = [re.sub(r"^drbd@(.*)\.target$", r"\1", u) for u in node["units"]["enabled"]
                          if re.match(r"^drbd@.*\.target$", u)]
    result = {"instanceId": iid, "boots": node["boots"], "bootUnits": []}
    if a.get("boot-units") == "true" and boot_resources:
        import subprocess
        env = dict(os.environ)
        env.update(node_env(a["fleet"], node))
        for r in boot_resources:
            p = subprocess.run([os.path.join(a["fleet"], "nodes", iid, "bin", "drbdadm"), "adjust", r], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            result["bootUnits"].append({"resource": r, "exitCode": p.returncode,
                                        "output": p.stdout.decode("utf-8", "replace")[-2000:]})
    return result


def fleet_network(a):
    """--blocked-ports 7789,7790 (or empty): TCP ports dropped between the nodes, as a security group
    would; --blocked-links 10.0.1.11-10.0.2.12,... (or empty): pairs of node IPs whose DRBD traffic is
    dropped both ways (a partition). Each option replaces its own list; one not given stays as it was."""
    with locked_world(a["fleet"]) as w:
        if "blocked-ports" in a:
            w.fleet["blockedPorts"] = [int(p) for p in (a.get("blocked-ports") or "").split(",") if p.strip()]
        if "blocked-links" in a:
            links = set()
            for pair in (a.get("blocked-links") or "").split(","):
                if not pair.strip():
                    continue
                ips = pair.strip().split("-")
                if len(ips) != 2 or not all(re.match(r"^\d{1,3}(\.\d{1,3}){3}$", ip) for ip in ips):
                    raise SystemExit("--blocked-links takes ipA-ipB pairs, got %r" % pair)
                links.add(link_key(*ips))
            w.fleet["blockedLinks"] = sorted(links)
        atomic_write(os.path.join(a["fleet"], "fleet.json"), json.dumps(w.fleet, indent=1))
    return {"blockedPorts": w.fleet.get("blockedPorts", []), "blockedLinks": w.fleet.get("blockedLinks", [])}


def fleet_snapshot(a):
    iid = a["instance-id"]
    with locked_world(a["fleet"]) as w:
        node = w.node(iid)
        rs = kernel_resources(node)
        res = rs.get(a.get("resource") or "r0") or (next(iter(rs.values())) if rs else None)
        peers = []
        disk = role = None
        if res is not None:
            observe_syncs(w, node, res)
            role = res.get("role", "Secondary")
            d = dev0(res)
            disk = d["diskState"] if d else "Diskless"
            for pid, conn in sorted(res["connections"].items(), key=lambda kv: int(kv[0])):
                v = peer_view(w, node, res, pid, conn)
                peers.append({"nodeId": int(pid), "name": conn.get("net", {}).get("_name", ""),
                              "connection": v["connection"], "replication": v["replication"],
                              "peerDisk": v["peerDisk"], "syncPercent": v["percent"]})
        md_current = None
        mds = sorted(node["md"].items())
        if mds:
            md_current = fmt_uuid(mds[0][1]["current"])
        dmd = data_md(node, res)
        data = None if dmd is None else {"checksum": dmd.get("checksum"), "writtenKiB": int(dmd.get("writtenKiB", 0)),
                                         "sizeKiB": device_kib(dmd), "capacityKiB": int(dmd["sizeKiB"]),
                                         "lastResync": dmd.get("lastResync")}
        pools, thins = {}, {}
        for k, lv in sorted(node["lvm"]["lvs"].items()):
            if lv["type"] == "thin-pool":
                pools[k] = {"dataKiB": lv_extents(lv) * EXTENT_KIB, "usedKiB": pool_used_kib(node, k),
                            "metadataKiB": int(lv.get("metaExtents", 0)) * EXTENT_KIB,
                            "chunkKiB": int(lv.get("chunkKiB", THIN_CHUNK_KIB)),
                            "outOfDataSpace": bool(lv.get("outOfDataSpace"))}
            elif lv["type"] == "thin":
                thins[k] = {"pool": "%s/%s" % (k.split("/", 1)[0], lv["pool"]), "virtualKiB": thin_lv_kib(lv),
                            "allocatedKiB": int(lv.get("allocatedKiB", 0))}
        with open(os.path.join(a["fleet"], "nodes", iid, "calls.log")) as f:
            calls = [l.rstrip("\n") for l in f if l.strip() and not l.startswith(" ")]
        snap = {
            "instanceId": iid, "hostname": node["hostname"], "terminated": bool(node.get("terminated")),
            "installed": node["packages"], "moduleVersion": (node.get("module") or {}).get("version"),
            "lvm": {"physicalVolumes": sorted(node["lvm"]["pvs"]), "volumeGroups": sorted(node["lvm"]["vgs"]),
                    "logicalVolumes": sorted(node["lvm"]["lvs"])},
            "metadataDevices": [k for k, _ in mds], "currentUuid": md_current,
            "up": res is not None, "resource": res["name"] if res else None, "role": role, "disk": disk,
            "peers": peers, "createMdCount": node.get("counters", {}).get("createMd", 0),
            "syncSkipCount": node.get("counters", {}).get("syncSkip", 0),
            "createMdOverMetadataCount": node.get("counters", {}).get("createMdOverMetadata", 0), "calls": calls,
            "data": data, "pools": pools, "thinVolumes": thins,
            "kernelEvents": list(node.get("kernelEvents", [])),
        }
    return snap


def fleet_write(a):
    """--instance-id I --percent P [--resource r0]: an application on I writes the first P percent
    of the DRBD device (see app_write); exit 1 with ok:false when the write fails."""
    with locked_world(a["fleet"]) as w:
        node = w.node(a["instance-id"])
        return app_write(w, node, a.get("resource") or "r0", float(a.get("percent", "0")))


def fleet_app_write(a):
    """--instance-id I --first F --count C [--resource r0]: the application on I opens the DRBD device
    (auto-promote) and writes blocks F..F+C-1 (4 KiB each), keeping it open (see app_write_blocks);
    {ok, error, acknowledged {block: checksum}, attempted {block: checksum}, replicatedTo, role},
    exit 1 when the write was not acknowledged."""
    with locked_world(a["fleet"]) as w:
        node = w.node(a["instance-id"])
        return app_write_blocks(w, node, a.get("resource") or "r0", int(a.get("first", "0")),
                                int(a.get("count", "1")))


def fleet_app_close(a):
    """--instance-id I [--resource r0]: the application closes the device (auto-demote); a no-op when
    it is not open there, the resource is down or the node terminated."""
    with locked_world(a["fleet"]) as w:
        node = w.node(a["instance-id"])
        return dict(app_close(w, node, a.get("resource") or "r0"), instanceId=a["instance-id"])


def device_view(w, node, rname):
    """One live node's device as the application and the invariant checks see it."""
    rs = kernel_resources(node)
    res = rs.get(rname)
    if res is not None:
        observe_syncs(w, node, res)  # like a status read: resyncs shown complete
    d = dev0(res) if res is not None else None
    dmd = data_md(node, res)
    return {"instanceId": node["instanceId"], "up": res is not None,
            "role": res.get("role", "Secondary") if res is not None else None,
            "disk": (d["diskState"] if d else "Diskless") if res is not None else None,
            "quorum": has_quorum(res) if res is not None else False,
            "openByApplication": held_open(res) if res is not None else False,
            "blocks": dict(sorted(((dmd or {}).get("blocks") or {}).items(), key=lambda kv: int(kv[0])))}


def fleet_device_views(a):
    """[--resource r0]: every live (not terminated) node's device, all read under one fleet lock."""
    with locked_world(a["fleet"]) as w:
        return {"views": [device_view(w, n, a.get("resource") or "r0") for n in w.all_nodes() if alive(n)]}


FLEET_OPERATIONS = {"init": fleet_init, "add-node": fleet_add_node, "resize-disk": fleet_resize_disk,
                    "terminate": fleet_terminate,
                    "reboot": fleet_reboot, "snapshot": fleet_snapshot, "network": fleet_network,
                    "write": fleet_write, "app-write": fleet_app_write, "app-close": fleet_app_close,
                    "device-views": fleet_device_views}


def fleet_cli(argv):
    if not argv:
        raise SystemExit("usage: nodesim.py fleet %s --fleet DIR ..." % "|".join(FLEET_OPERATIONS))
    op, rest = argv[0], argv[1:]
    a = {}
    i = 0
    while i < len(rest):
        if rest[i].startswith("--"):
            a[rest[i][2:]] = rest[i + 1] if i + 1 < len(rest) else ""
            i += 2
        else:
            i += 1
    if "fleet" not in a:
        raise SystemExit("--fleet DIR is required")
    a["fleet"] = os.path.abspath(a["fleet"])
    fn = FLEET_OPERATIONS.get(op)
    if fn is None:
        raise SystemExit("unknown fleet operation %s" % op)
    result = fn(a)
    rc = result.pop("_exit", 0)
    out(json.dumps(result))
    return rc
