#!/bin/bash
# Runs a command in a network namespace of its own, whose only network is loopback; with
# --index DIR, the package index of standin-index.py serves DIR on https://127.0.0.1:8080 there
# (certificate DIR/tls/cert.pem) for as long as the command runs.
#
# Usage: offline.bash [--index DIR] -- COMMAND [ARG...]
# Needs root or unprivileged user namespaces (then it maps the caller to root inside).
set -euo pipefail

if [[ "${OFFLINE_INSIDE:-}" != 1 ]]; then
  if (( EUID == 0 )); then
    OFFLINE_INSIDE=1 exec unshare --net "$0" "$@"
  fi
  OFFLINE_INSIDE=1 exec unshare --net --map-root-user "$0" "$@"
fi
unset OFFLINE_INSIDE

index_dir=""
if [[ "$1" == --index ]]; then
  index_dir="$2"
  shift 2
fi
[[ "$1" == -- ]] && shift

ip link set lo up
server_pid=""
if [[ -n "${index_dir}" ]]; then
  python3 "$(dirname "$0")/standin-index.py" --serve "${index_dir}" 8080 &
  server_pid=$!
  for _ in $(seq 50); do
    if python3 -c 'import ssl, sys, urllib.request
urllib.request.urlopen("https://127.0.0.1:8080/simple/", context=ssl.create_default_context(cafile=sys.argv[1]))' \
      "${index_dir}/tls/cert.pem" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
fi
status=0
"$@" || status=$?
[[ -n "${server_pid}" ]] && kill "${server_pid}"
exit "${status}"
