#!/usr/bin/env python3
"""Writes and serves a PEP 503 package index of stand-ins for the pinned Python tools.

Usage: standin-index.py PINS_FILE OUT_DIR
       standin-index.py --serve OUT_DIR PORT   (HTTPS on 127.0.0.1, until killed)

For every "command requirement" line of PINS_FILE (bin/lib/python-tools.txt), OUT_DIR/simple
gets a project page linking one wheel of that name, version and extras, whose console script
of the same command prints "COMMAND VERSION (stand-in)". Served over HTTP, it lets pip go through
the real install path without PyPI. Like PyPI it answers over HTTPS (OUT_DIR/tls/cert.pem, made
by openssl, is the certificate to trust: PIP_CERT) and marks its answers cacheable: pip caches only
what comes over HTTPS, so a pip that may cache writes its cache here as it would from PyPI, and a
test sees where.
"""
import functools
import http.server
import base64
import hashlib
import pathlib
import re
import ssl
import subprocess
import sys
import zipfile

REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)(\[(?P<extras>[^\]]*)\])?==(?P<version>[A-Za-z0-9.]+)$")


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def build_wheel(command, name, extras, version, files_dir):
    dist = re.sub(r"[-_.]+", "_", name)
    module = f"standin_{dist.lower()}"
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Provides-Extra: {extra.strip()}\n" for extra in extras if extra.strip())
    members = {
        f"{module}/__init__.py": f"def main():\n    print({f'{command} {version} (stand-in)'!r})\n",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: standin-index\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{info}/entry_points.txt": f"[console_scripts]\n{command} = {module}:main\n",
    }
    wheel = files_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        records = []
        for path, text in members.items():
            data = text.encode()
            archive.writestr(path, data)
            records.append(record_line(path, data))
        records.append(f"{info}/RECORD,,")
        archive.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return wheel


def main(pins_file, out_dir):
    out = pathlib.Path(out_dir)
    tls = out / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
                   check=True, capture_output=True)
    files_dir = out / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    projects = []
    for line in pathlib.Path(pins_file).read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        command, requirement = line.split()
        match = REQUIREMENT.match(requirement)
        if not match:
            sys.exit(f"not a pinned requirement: {requirement}")
        extras = (match["extras"] or "").split(",")
        wheel = build_wheel(command, match["name"], extras, match["version"], files_dir)
        project = re.sub(r"[-_.]+", "-", match["name"]).lower()
        sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
        page = out / "simple" / project
        page.mkdir(parents=True, exist_ok=True)
        (page / "index.html").write_text(
            f'<!DOCTYPE html><html><body><a href="../../files/{wheel.name}#sha256={sha256}">{wheel.name}</a></body></html>\n')
        projects.append(project)
    links = "".join(f'<a href="{project}/">{project}</a>\n' for project in projects)
    (out / "simple" / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")


class CacheableHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        # What files.pythonhosted.org sends with every file.
        self.send_header("Cache-Control", "max-age=365000000, immutable, public")
        super().end_headers()

    def log_message(self, *args):
        pass


def serve(out_dir, port):
    handler = functools.partial(CacheableHandler, directory=out_dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls = pathlib.Path(out_dir) / "tls"
    context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3:
        main(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
