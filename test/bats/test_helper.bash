# shellcheck disable=SC2034,SC2154  # bats sets output/lines/stderr; the test files use SAMPLE
# Shared setup for the bats tests of the SSM document scripts (load with `load test_helper`).
#
# Each test gets, under $BATS_TEST_TMPDIR:
#   bin/    stub commands (links to test/bats/stubs), first on PATH; /usr/sbin is NOT on
#           PATH, so no real drbdadm, LVM or blkid can run by accident
#   state/  $STUB_STATE, the scripted answers of the stubs (see each stub's header)
#   calls   $CALLS, one line per stub call: "name arg..."
#   root/   redirected node paths: etc/drbd.d, var/lib/drbd-multiaz, dev/disk/by-id,
#           sys/module, dev/ (fake block devices as plain files)
# `render DOC [Name=Value...]` writes the document's script to $SCRIPT through
# rehearsal/runtime/ssm-doc.mjs, exactly as Run Command would substitute the parameters.

bats_require_minimum_version 1.5.0

REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
DOCS_DIR="${REPO_ROOT}/ssm-documents"
SSM_DOC_TOOL="${REPO_ROOT}/rehearsal/runtime/ssm-doc.mjs"
STUBS_DIR="${BATS_TEST_DIRNAME}/stubs"

# Every command that changes a node; an idempotent second run must call none of them.
MUTATING_CALLS='^(drbdadm (up|down|adjust|create-md|new-current-uuid|wipe-md|primary|secondary|attach|detach|connect|disconnect|forget-peer|del-peer|invalidate|resize)|drbdsetup (new-current-uuid|del-peer|forget-peer|down|primary|secondary|attach|detach|connect|disconnect|new-|del-|invalidate|resize)|drbdmeta .*(create-md|wipe-md|forget-peer|restore-md|apply-al|outdate|invalidate|check-resize)|pvcreate|pvresize|vgcreate|lvcreate|lvextend|lvresize|apt-get|add-apt-repository|snap install|modprobe|systemctl (enable|restart|start|stop|disable)|mkfs|wipefs)( |$)'

# A valid value for every parameter name used by the documents.
declare -gA SAMPLE=(
  [ResourceName]=r0
  [MaxPeers]=7
  [VolumeGroup]=drbdpool
  [ThinPool]=thinpool
  [LogicalVolume]=r0
  [ConfigBase64]=cmVzb3VyY2UgcjAge30K
  [SecretId]=arn:aws:secretsmanager:eu-west-1:123456789012:secret:drbd/peer-secret-AbCdEf
  [PeerNodeId]=2
  [ActingNodeId]=0
  [BelowKiB]=199229440
)

# common_setup: the per-test environment described above (setup calls it; a test file
# that needs more defines its own setup and calls common_setup first).
common_setup() {
  export STUB_STATE="${BATS_TEST_TMPDIR}/state"
  export CALLS="${BATS_TEST_TMPDIR}/calls"
  export STUB_HOSTNAME=nodea
  export NODE_ROOT="${BATS_TEST_TMPDIR}/root"
  export DRBD_CONF_DIR="${NODE_ROOT}/etc/drbd.d"
  export DRBD_STATE_DIR="${NODE_ROOT}/var/lib/drbd-multiaz"
  export DISK_BY_ID_DIR="${NODE_ROOT}/dev/disk/by-id"
  export SYS_MODULE_DIR="${NODE_ROOT}/sys/module"
  export AWS_SSM_REGION_NAME=eu-west-1
  # drbd-up's wait for its peers: the stubs' status does not change by itself.
  export DRBD_PEER_WAIT_SECONDS=0
  mkdir -p "${STUB_STATE}" "${DRBD_CONF_DIR}" "${DRBD_STATE_DIR}" "${DISK_BY_ID_DIR}" "${SYS_MODULE_DIR}"
  : >"${CALLS}"
  BIN="${BATS_TEST_TMPDIR}/bin"
  mkdir -p "${BIN}"
  local name target
  for name in drbdadm drbdsetup drbdmeta blkid systemctl snap cloud-init aws curl findmnt lsblk \
    pvs:lvm vgs:lvm lvs:lvm pvcreate:lvm vgcreate:lvm lvcreate:lvm \
    apt-get:apt add-apt-repository:apt dpkg-query:apt modinfo:kmod modprobe:kmod; do
    target="${name#*:}"
    ln -s "${STUBS_DIR}/${target}" "${BIN}/${name%%:*}"
  done
  export PATH="${BIN}:/usr/local/bin:/usr/bin:/bin"
}

setup() {
  common_setup
}

# render DOC [Name=Value...]: write the script of ssm-documents/DOC.yaml to $SCRIPT.
render() {
  SCRIPT="${BATS_TEST_TMPDIR}/$1.sh"
  node "${SSM_DOC_TOOL}" render "${DOCS_DIR}/$1.yaml" "${SCRIPT}" "${@:2}"
}

# unstub NAME...: make commands absent (not installed on the node).
unstub() {
  local name
  for name in "$@"; do rm -f "${BIN}/${name}"; done
}

# result [PATH]: parse the last stdout line as one JSON object (fails otherwise) and print
# the value at a dotted PATH (a.b.0.c) as JSON.
result() {
  node -e '
    const o = JSON.parse(process.argv[1]);
    if (o === null || typeof o !== "object" || Array.isArray(o)) throw new Error("not a JSON object");
    let v = o;
    for (const k of process.argv[2].split(".").filter(Boolean)) v = v === undefined || v === null ? undefined : v[k];
    console.log(JSON.stringify(v));
  ' "${lines[${#lines[@]}-1]}" "${1:-}"
}

# assert_result PATH JSON: the result field at PATH equals the JSON literal.
assert_result() {
  local got
  got="$(result "$1")"
  if [[ "${got}" != "$2" ]]; then
    printf 'result .%s = %s, expected %s\nstdout:\n%s\nstderr:\n%s\n' "$1" "${got}" "$2" "${output}" "${stderr:-}" >&2
    return 1
  fi
}

# assert_no_mutating_calls: no recorded call changes the node.
assert_no_mutating_calls() {
  if grep -E "${MUTATING_CALLS}" "${CALLS}"; then
    echo "mutating calls recorded (above)" >&2
    return 1
  fi
}

# status_json ROLE DISK [PEER_ID:CONNECTION:PEER_DISK ...]: drbdsetup status --json output
# of resource r0 (this node has node-id 0).
status_json() {
  local role="$1" disk="$2" conns="" p id cs pd
  shift 2
  for p in "$@"; do
    IFS=: read -r id cs pd <<<"${p}"
    conns+="${conns:+,}{\"peer-node-id\":${id},\"name\":\"node${id}\",\"connection-state\":\"${cs}\",\"congested\":false,\"peer-role\":\"Secondary\",\"peer_devices\":[{\"volume\":0,\"replication-state\":\"Established\",\"peer-disk-state\":\"${pd}\",\"peer-client\":false,\"out-of-sync\":0,\"percent-in-sync\":100.00}]}"
  done
  printf '[{"name":"r0","node-id":0,"role":"%s","suspended":false,"devices":[{"volume":0,"minor":0,"disk-state":"%s","client":false,"quorum":true,"size":94371840}],"connections":[%s]}]\n' \
    "${role}" "${disk}" "${conns}"
}

# given_up ROLE DISK [PEER...]: the resource is up in that state (arguments as status_json).
given_up() {
  status_json "$@" >"${STUB_STATE}/status.json"
  touch "${STUB_STATE}/up"
}

# given_backing [PATH]: the resource is configured with this backing device (a plain file).
given_backing() {
  local dev="${1:-${NODE_ROOT}/dev/drbdpool/r0}"
  mkdir -p "$(dirname "${dev}")"
  touch "${dev}"
  echo "${dev}" >"${STUB_STATE}/backing"
}

# given_ebs_disks [EXTRA_VOLUME...]: by-id links of a Nitro node: root volume on nvme0n1
# (with a -part1 link), data volume vol0123456789abcdef0 on nvme1n1 (plain and _1 links,
# plus the nvme.1d0f eui-style link), and one more disk per extra volume id.
given_ebs_disks() {
  local dev="${NODE_ROOT}/dev" i=2 vol
  mkdir -p "${dev}"
  touch "${dev}/nvme0n1" "${dev}/nvme0n1p1" "${dev}/nvme1n1"
  ln -s ../../nvme0n1 "${DISK_BY_ID_DIR}/nvme-Amazon_Elastic_Block_Store_vol0aaaabbbbcccc0001"
  ln -s ../../nvme0n1p1 "${DISK_BY_ID_DIR}/nvme-Amazon_Elastic_Block_Store_vol0aaaabbbbcccc0001-part1"
  ln -s ../../nvme1n1 "${DISK_BY_ID_DIR}/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0"
  ln -s ../../nvme1n1 "${DISK_BY_ID_DIR}/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0_1"
  ln -s ../../nvme1n1 "${DISK_BY_ID_DIR}/nvme-nvme.1d0f-766f6c30313233343536373839616263646566"
  for vol in "$@"; do
    touch "${dev}/nvme${i}n1"
    ln -s "../../nvme${i}n1" "${DISK_BY_ID_DIR}/nvme-Amazon_Elastic_Block_Store_${vol}"
    i=$((i + 1))
  done
}

# The sizes of a node drbd-prepare-lvm set up on 100 GiB: 25599 extents of 4 MiB after pe_start,
# pool data 95% of them less its metadata and spare (2 x 24 extents), the LV of the pool's size.
PREPARED_POOL=$(( 24271 * 4194304 ))

# given_prepared_lvm [DISK_GIB [EXTRA_VOLUME...]]: our PV of drbdpool on nvme1n1 (25599 extents), pool
# and LV as drbd-prepare-lvm leaves them on 100 GiB; the disk now DISK_GIB (default 100) large;
# more data volumes as given_ebs_disks attaches them.
given_prepared_lvm() {
  local lvm="${STUB_STATE}/lvm"
  given_ebs_disks "${@:2}"
  mkdir -p "${lvm}" "${STUB_STATE}/blkid"
  echo TYPE=LVM2_member >"${STUB_STATE}/blkid/nvme1n1"
  echo drbdpool >"${lvm}/pv.nvme1n1"
  echo $(( 25599 * 4194304 )) >"${lvm}/pv_size.nvme1n1"
  touch "${lvm}/vg.drbdpool"
  echo "25599 1280" >"${lvm}/vg_extents.drbdpool"
  : >"${lvm}/lv.drbdpool.thinpool"
  echo "${PREPARED_POOL}" >"${lvm}/lv_size.drbdpool.thinpool"
  echo thinpool >"${lvm}/lv.drbdpool.r0"
  echo "${PREPARED_POOL}" >"${lvm}/lv_size.drbdpool.r0"
  echo $(( ${1:-100} * 1073741824 )) >"${STUB_STATE}/size.nvme1n1"
}
