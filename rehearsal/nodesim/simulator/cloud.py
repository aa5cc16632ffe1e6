"""The node's view of AWS: IMDSv2 through curl, and the AWS CLI's secretsmanager get-secret-value.
"""

import json
import os
import re
import sys

from . import faults
from .constants import KERNEL_RELEASE, SECRET_DEFAULT
from .output import err, out
from .system import dns_suffix


def cmd_curl(ctx):
    args = list(ctx.args)
    fail_flag = any(a in ("-f", "--fail") or (re.match(r"^-[a-zA-Z]+$", a) and "f" in a) for a in args)
    method, headers, url = "GET", {}, None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-X", "--request"):
            method = args[i + 1]
            i += 1
        elif a in ("-H", "--header"):
            k, _, v = args[i + 1].partition(":")
            headers[k.strip().lower()] = v.strip()
            i += 1
        elif a in ("-m", "--max-time", "-o", "--output", "--connect-timeout", "-d", "--data"):
            i += 1
        elif not a.startswith("-"):
            url = a
        i += 1
    node = ctx.read_state()
    m = re.match(r"^https?://169\.254\.169\.254(/.*)$", url or "")
    if not m:
        host = re.sub(r"^https?://([^/:]+).*$", r"\1", url or "")
        err("curl: (6) Could not resolve host: %s" % host)
        return 6
    path = m.group(1)
    import hashlib
    token = "AQAEAsim-" + hashlib.sha1(node["instanceId"].encode()).hexdigest()[:20]
    if path == "/latest/api/token":
        if method != "PUT" or "x-aws-ec2-metadata-token-ttl-seconds" not in headers:
            return 22 if fail_flag else 0
        sys.stdout.write(token)
        return 0
    if headers.get("x-aws-ec2-metadata-token") != token:
        return 22 if fail_flag else 0  # IMDSv2 only: 401 without a token
    md = {
        "/latest/meta-data/local-ipv4": node["ip"],
        "/latest/meta-data/placement/region": node["region"],
        "/latest/meta-data/placement/availability-zone": node["az"],
        "/latest/meta-data/instance-id": node["instanceId"],
        "/latest/meta-data/local-hostname": node["hostname"] + "." + dns_suffix(node),
        "/latest/meta-data/hostname": node["hostname"] + "." + dns_suffix(node),
        "/latest/meta-data/instance-type": "m6i.large",
    }
    if path not in md:
        return 22 if fail_flag else 0
    sys.stdout.write(md[path])
    return 0


def cmd_aws(ctx):
    args = list(ctx.args)
    if args[:1] == ["--version"]:
        out("aws-cli/2.17.20 Python/3.11.9 Linux/%s exe/x86_64.ubuntu.24" % KERNEL_RELEASE)
        return 0
    if args[:2] != ["secretsmanager", "get-secret-value"]:
        err("aws: the simulated node's AWS CLI answers only secretsmanager get-secret-value")
        return 252
    opts = {}
    for i, a in enumerate(args):
        if a.startswith("--") and i + 1 < len(args) and not args[i + 1].startswith("--"):
            opts[a] = args[i + 1]
    if "--secret-id" not in opts:
        err("aws: error: the following arguments are required: --secret-id")
        return 252
    if "--region" not in opts and not os.environ.get("AWS_REGION") and not os.environ.get("AWS_DEFAULT_REGION"):
        err("You must specify a region. You can also configure your region by running \"aws configure\".")
        return 253
    node = ctx.read_state()
    if faults.value(node, faults.SECRET_UNREADABLE):
        err("An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User is not "
            "authorized to perform: secretsmanager:GetSecretValue")
        return 254
    secret = ctx.fleet.get("secret", SECRET_DEFAULT)
    if opts.get("--query") == "SecretString" and opts.get("--output") == "text":
        out(secret)
    else:
        out(json.dumps({"ARN": opts["--secret-id"], "Name": opts["--secret-id"].rsplit(":", 1)[-1],
                        "SecretString": secret, "VersionStages": ["AWSCURRENT"]}))
    return 0
