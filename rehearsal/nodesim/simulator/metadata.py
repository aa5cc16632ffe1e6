"""DRBD's on-disk metadata (v09, internal): a new record as create-md writes it, its size, the
generation UUIDs and the text of dump-md.
"""

import time

from .disks import device_size_kib
from .drbd_kernel import device_kib
from .storage import now


JUST_CREATED = 0x4


def md_size_kib(size_kib, max_peers):
    bitmap = ((size_kib + 32767) // 32768) * max_peers  # 4 KiB per bit, 8 bits per byte
    return 4 + 32 + ((bitmap + 3) // 4) * 4


def new_md(max_peers, size_kib):
    return {"maxPeers": max_peers, "nodeId": -1, "current": JUST_CREATED, "history": [0, 0],
            "consistent": False, "upToDate": False, "slots": {}, "deviceUuid": 0,
            "sizeKiB": size_kib - md_size_kib(size_kib, max_peers), "resync": None,
            "checksum": None, "writtenKiB": 0}


def fmt_uuid(u):
    return "%016X" % (u & 0xFFFFFFFFFFFFFFFF)


def new_uuid():
    import random
    return random.getrandbits(64) & ~1 & 0xFFFFFFFFFFFFFFFF


def dump_md_text(ctx, node, dev, md, minor):
    hist = md["history"] + [0] * (32 - len(md["history"]))
    lines = ["# DRBD meta data dump",
             "# %s [%d]" % (time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime()), int(now())),
             "# %s> drbdmeta %s v09 %s internal dump-md" % (node["hostname"], minor, dev), "#", "",
             'version "v09";', "", "max-peers %d;" % md["maxPeers"],
             "# md_size_sect %d" % (md_size_kib(device_size_kib(node, dev), md["maxPeers"]) * 2), "",
             "node-id %d;" % md["nodeId"], "current-uuid 0x%s;" % fmt_uuid(md["current"]),
             "flags 0x%08X;" % ((1 if md["consistent"] else 0) | (2 if md["upToDate"] else 0) | 0x80)]
    slot_of = sorted(md["slots"].items(), key=lambda kv: int(kv[0]))
    by_node = {int(k): (i, v) for i, (k, v) in enumerate(slot_of)}
    for peer in range(32):
        idx, s = by_node.get(peer, (-1, {}))
        lines += ["peer[%d] {" % peer, "    bitmap-index %d;" % idx,
                  "    bitmap-uuid 0x%s;" % fmt_uuid(s.get("bitmapUuid", 0)),
                  "    bitmap-dagtag 0x0000000000000000;", "    flags 0x00000000;", "}"]
    lines.append("history-uuids {")
    for i in range(0, 32, 4):
        lines.append("        " + " ".join("0x%s;" % fmt_uuid(h) for h in hist[i:i + 4]))
    lines += ["}", "# al-extents 1237;", "la-size-sect %d;" % (device_kib(md) * 2), "bm-byte-per-bit 4096;",
              "device-uuid 0x%s;" % fmt_uuid(md["deviceUuid"]), "la-peer-max-bio-size 0;", "al-stripes 1;",
              "al-stripe-size-4k 8;", "# bm-bytes 0;"]
    for i in range(md["maxPeers"]):
        lines += ["bitmap[%d] {" % i, "}"]
    lines.append("# bits-set 0;")
    return "\n".join(lines) + "\n"
