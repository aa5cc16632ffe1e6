# ssm-documents/lib/prelude.bash, spliced in place of each document's "# @prelude" line.
# The document defines DOC_NAME, and RES, VG and LV (its ResourceName, VolumeGroup and
# LogicalVolume parameters) before this line; the node status below reads them.

readonly STATE_DIR="${DRBD_STATE_DIR:-/var/lib/drbd-multiaz}"
readonly BY_ID_DIR="${DISK_BY_ID_DIR:-/dev/disk/by-id}"
readonly SYS_MODULE_DIR="${SYS_MODULE_DIR:-/sys/module}"
readonly EBS_PREFIX="nvme-Amazon_Elastic_Block_Store_"
# How long a step that changes peers waits for its effect to show (await_status).
readonly PEER_WAIT_SECONDS="${DRBD_PEER_WAIT_SECONDS:-20}"

# log MESSAGE...: one line on stderr, timestamped and tagged with DOC_NAME.
log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${DOC_NAME}" "$*" >&2
}

# json_str STRING [REGEX]: a JSON string on stdout; null for "" or a STRING REGEX misses.
json_str() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  if [[ -z "$1" || ! "$1" =~ ${2:-^} ]]; then printf 'null'; else printf '"%s"' "${s//[[:cntrl:]]/ }"; fi
}

# json_object NAME JSON...: {"NAME":JSON,...} on stdout, in the order given.
json_object() {
  local fields=""
  while (( $# > 1 )); do fields+="${fields:+,}\"$1\":$2"; shift 2; done
  printf '{%s}' "${fields}"
}

# result CODE ERROR NAME JSON...: the last stdout line, ok and error around the fields given
# (ERROR also logged when CODE is not 0); exits CODE.
result() {
  local ok=true
  if (( $1 != 0 )); then ok=false; log "$2"; fi
  printf '%s\n' "$(json_object ok "${ok}" "${@:3}" error "$(json_str "$2")")"
  exit "$1"
}

# report CODE ERROR NAME JSON...: result with the node's status (node_status, taken now)
# after the fields given: every document's last line carries the status contract.
report() {
  local -a status=()
  mapfile -t status < <(node_status)
  result "$1" "$2" "${@:3}" "${status[@]}"
}

# await_status FILTER: wait, at most PEER_WAIT_SECONDS, until the jq FILTER holds for
# `drbdsetup status RES --json`, so the report after a step that changes peers shows the peers'
# part of it. Outputs true (it held) | false (the wait ran out) on stdout.
# shellcheck disable=SC2317  # only the documents of steps that change peers call it
await_status() {
  local deadline=$((SECONDS + PEER_WAIT_SECONDS))
  [[ "${PEER_WAIT_SECONDS}" =~ ^[0-9]{1,3}$ ]] || { log "DRBD_PEER_WAIT_SECONDS must be 0..999"; echo false; return; }
  while true; do
    if drbdsetup status "${RES}" --json 2>/dev/null | jq -e "$1" >/dev/null 2>&1; then echo true; return; fi
    if (( SECONDS >= deadline )); then
      log "Waited ${PEER_WAIT_SECONDS} s for the peers to settle resource=${RES}"
      echo false
      return
    fi
    sleep 1
  done
}

# The node status (docs/CONTRACTS.md, "Status result"). Every probe tolerates a missing tool
# and reports null instead: drbdVersion null = no drbd module; metadata null = backing LV
# absent (or the check was inconclusive); resource and adjustNeeded null = not up; backingGrowable
# null = no data disk, or no VG, pool or LV of ours on it.

# status_drbd_version: the version of the loaded drbd module, else of the installed one.
status_drbd_version() {
  if [[ -r "${SYS_MODULE_DIR}/drbd/version" ]]; then
    cat "${SYS_MODULE_DIR}/drbd/version"
  elif command -v modinfo >/dev/null; then
    modinfo -F version drbd 2>/dev/null || true
  fi
}

# status_private_address: the primary private IPv4 address from IMDSv2 (empty if no answer).
status_private_address() {
  local token
  token="$(curl -sf -m 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
    http://169.254.169.254/latest/api/token)" || return 0
  curl -sf -m 2 -H "X-aws-ec2-metadata-token: ${token}" \
    http://169.254.169.254/latest/meta-data/local-ipv4 || true
}

# data_disk_candidates: "<device> <volume id>" of every EBS data disk: a by-id link (not a -part
# link) whose disk does not hold the root file system. On Nitro the kernel name (nvme1n1, ...) is
# not predictable, the by-id name carries the volume id.
data_disk_candidates() {
  local root_disks link dev vol
  local -A seen=()
  root_disks="$(lsblk -l -n -s -o KNAME,TYPE "$(findmnt -n -o SOURCE /)" | awk '$2 == "disk" {print $1}')"
  for link in "${BY_ID_DIR}/${EBS_PREFIX}"vol*; do
    [[ -e "${link}" && "${link}" != *-part* ]] || continue
    dev="$(readlink -f "${link}")"
    if grep -qxF "${dev##*/}" <<<"${root_disks}"; then continue; fi
    vol="${link##*/"${EBS_PREFIX}"vol}"
    vol="vol-${vol%%_*}"
    if [[ "${vol}" =~ ^vol-[0-9a-f]{8,17}$ ]]; then seen["${dev}"]="${vol}"; fi
  done
  for dev in "${!seen[@]}"; do echo "${dev} ${seen[${dev}]}"; done
}

# disk_owner DEVICE: whether the data disk may be used, reading only: blank | ours (blank LVM
# physical volume, or one of VG) | foreign:<what> | unknown:<why> on stdout.
# shellcheck disable=SC2317  # only the documents that write LVM call it
disk_owner() {
  local dev="$1"
  local probe vg
  local rc=0
  probe="$(blkid -p -o export "${dev}")" || rc=$?
  if (( rc == 2 )); then echo blank; return; fi
  if (( rc != 0 )); then echo "unknown:blkid -p exited ${rc}"; return; fi
  if ! grep -qx 'TYPE=LVM2_member' <<<"${probe}"; then
    echo "foreign:$(grep -E '^(PT)?TYPE=' <<<"${probe}" | paste -sd, -)"
    return
  fi
  vg="$(pvs --noheadings -o vg_name "${dev}")" || { echo "unknown:pvs failed"; return; }
  vg="${vg//[[:space:]]/}"
  if [[ -z "${vg}" || "${vg}" == "${VG}" ]]; then echo ours; return; fi
  echo "foreign:LVM physical volume of volume group ${vg}"
}

# lvm_size_kib REPORT FIELD NAME: a size field of `pvs`/`lvs` for one PV or LV, in KiB ("null" when
# unreadable).
lvm_size_kib() {
  local bytes
  bytes="$("$1" --noheadings --nosuffix --units b -o "$2" "$3" 2>/dev/null)" || { echo null; return; }
  bytes="${bytes//[[:space:]]/}"
  if [[ "${bytes}" =~ ^[0-9]{1,18}$ ]]; then echo $((bytes / 1024)); else echo null; fi
}

# backing_growth DEVICE: what drbd-grow-backing would grow on the data disk DEVICE, reading only:
# "POOL EXTENT_BYTES PV_ADD POOL_EXTENTS POOL_TARGET LV_BYTES LV_TARGET_BYTES META_EXTENTS META_TARGET"
# on stdout; returns 1 (nothing printed) unless DEVICE is a physical volume of VG and LV a thin volume
# of a readable pool. The rule, in one place: the PV takes the disk's whole extents after pe_start
# (PV_ADD more); the pool gets the shape `lvcreate --extents 95%FREE` gives a fresh VG of that size
# (lvm2: 95% of the VG, less its metadata and the metadata spare, the metadata being 64 bytes per
# chunk of those 95%, at least 2 MiB), its metadata at its own chunk size: a grown pool never holds
# more data than a fresh one on a disk of the same size (a replacement could not hold the DRBD
# device otherwise: "The peer's disk size is too small"), and its metadata keeps up with its data;
# the LV takes the pool's data size (it never overcommits). Nothing is ever smaller than now.
backing_growth() {
  local dev="$1"
  local line n pv_bytes pe_start pv_vg ext count free lv_bytes pool pool_bytes chunk meta_bytes disk_bytes
  local pv_add pool_ext meta_ext meta_target data0 other target lv_target
  line="$(pvs --noheadings --nosuffix --units b -o pv_size,pe_start,vg_name "${dev}" 2>/dev/null)" || return 1
  read -r pv_bytes pe_start pv_vg <<<"${line}"
  [[ "${pv_vg:-}" == "${VG}" ]] || return 1
  line="$(vgs --noheadings --nosuffix --units b -o vg_extent_size,vg_extent_count,vg_free_count "${VG}" 2>/dev/null)" \
    || return 1
  read -r ext count free <<<"${line}"
  line="$(lvs --noheadings --nosuffix --units b -o lv_size,pool_lv "${VG}/${LV}" 2>/dev/null)" || return 1
  read -r lv_bytes pool <<<"${line}"
  [[ "${pool:-}" =~ ^[A-Za-z][A-Za-z0-9_-]{0,62}$ ]] || return 1
  line="$(lvs --noheadings --nosuffix --units b -o lv_size,chunk_size,lv_metadata_size "${VG}/${pool}" 2>/dev/null)" \
    || return 1
  read -r pool_bytes chunk meta_bytes <<<"${line}"
  disk_bytes="$(lsblk -b -d -n -o SIZE "${dev}" 2>/dev/null)" || return 1
  disk_bytes="${disk_bytes//[[:space:]]/}"
  for n in "${pv_bytes}" "${pe_start:-}" "${ext:-}" "${count:-}" "${free:-}" "${lv_bytes}" "${pool_bytes:-}" \
    "${chunk:-}" "${meta_bytes:-}" "${disk_bytes}"; do
    [[ "${n}" =~ ^[0-9]{1,18}$ ]] || return 1
  done
  (( ext > 0 && chunk > 0 && disk_bytes > pe_start )) || return 1
  pv_add=$(( (disk_bytes - pe_start) / ext - pv_bytes / ext ))
  (( pv_add > 0 )) || pv_add=0
  pool_ext=$(( pool_bytes / ext ))
  meta_ext=$(( meta_bytes / ext ))
  data0=$(( (count + pv_add) * 95 / 100 ))
  meta_target=$(( (data0 * 64 + chunk - 1) / chunk ))
  (( meta_target * ext >= 2097152 )) || meta_target=$(( (2097152 + ext - 1) / ext ))
  (( meta_target > meta_ext )) || meta_target="${meta_ext}"
  # What else the VG holds besides the pool's data, its metadata and the spare (as large).
  other=$(( count - free - pool_ext - 2 * meta_ext ))
  (( other > 0 )) || other=0
  target=$(( data0 - 2 * meta_target - other ))
  (( target > pool_ext )) || target="${pool_ext}"
  lv_target=$(( target * ext ))
  (( lv_target > lv_bytes )) || lv_target="${lv_bytes}"
  echo "${pool} ${ext} ${pv_add} ${pool_ext} ${target} ${lv_bytes} ${lv_target} ${meta_ext} ${meta_target}"
}

# status_data_volume: "vol-... DEVICE" of the single non-root EBS volume (empty unless exactly one).
status_data_volume() {
  local candidates dev vol
  candidates="$(data_disk_candidates)"
  [[ -n "${candidates}" && "$(wc -l <<<"${candidates}")" == 1 ]] || return 0
  read -r dev vol <<<"${candidates}"
  echo "${vol} ${dev}"
}

# status_backing_growable DEVICE: true | false, whether drbd-grow-backing would grow anything on the
# data disk DEVICE (backing_growth); null when unknown (no data disk, LVM tools missing, not our PV,
# VG, pool or LV absent).
status_backing_growable() {
  local tool plan pv_add pool_ext target lv_bytes lv_target meta_ext meta_target
  [[ -n "$1" ]] || { echo null; return; }
  for tool in pvs vgs lvs lsblk; do command -v "${tool}" >/dev/null || { echo null; return; }; done
  plan="$(backing_growth "$1")" || { echo null; return; }
  read -r _ _ pv_add pool_ext target lv_bytes lv_target meta_ext meta_target <<<"${plan}"
  if (( pv_add > 0 || meta_target > meta_ext || target > pool_ext || lv_target > lv_bytes )); then
    echo true
  else
    echo false
  fi
}

# status_size_gib DEVICE: the device's size in whole GiB (empty when unknown).
status_size_gib() {
  local bytes
  bytes="$(lsblk -b -d -n -o SIZE "$1" 2>/dev/null)" || return 0
  bytes="${bytes//[[:space:]]/}"
  if [[ "${bytes}" =~ ^[0-9]{1,18}$ ]]; then echo $((bytes / 1073741824)); fi
}

# status_metadata DISK_STATE: true | false | null, whether DRBD metadata is on the backing LV,
# reading only ("" when the resource is not up). drbdmeta with minor "-" reads the device
# without looking for an attached DRBD minor.
status_metadata() {
  local err
  local rc=0
  if ! command -v lvs >/dev/null || ! lvs "${VG}/${LV}" >/dev/null 2>&1; then echo null; return; fi
  if [[ -n "$1" && "$1" != Diskless ]]; then echo true; return; fi
  if ! command -v drbdmeta >/dev/null; then echo null; return; fi
  err="$(drbdmeta - v09 "/dev/${VG}/${LV}" internal dump-md 2>&1 >/dev/null)" || rc=$?
  if (( rc == 0 )); then echo true
  elif (( rc == 1 )) && [[ "${err}" == *"No valid meta data found"* ]]; then echo false
  else echo null
  fi
}

# status_adjust_needed: true | false | null (not up, or the dry run failed), whether
# `drbdadm adjust` would change the running resource.
status_adjust_needed() {
  local plan
  plan="$(drbdadm -d adjust "${RES}" 2>/dev/null)" || { echo null; return; }
  if [[ -n "${plan}" ]]; then echo true; else echo false; fi
}

# status_backing_kib: the backing LV's size in KiB ("null" when unknown).
status_backing_kib() {
  lvm_size_kib lvs lv_size "${VG}/${LV}"
}

# node_status: the status fields as NAME and JSON lines, alternating, read-only.
node_status() {
  local json="" resource=null up=false adjust=null disk="" lvm_ready=false sha="" data_volume="" data_gib=""
  local backing=null max_peers=null growable=null
  if command -v lvs >/dev/null && lvs "${VG}/${LV}" >/dev/null 2>&1; then lvm_ready=true; backing="$(status_backing_kib)"; fi
  if command -v drbdsetup >/dev/null && json="$(drbdsetup status "${RES}" --json 2>/dev/null)"; then
    up=true
    if command -v jq >/dev/null; then
      resource="$(jq -c --argjson backing "${backing}" '.[0] | {name, role,
        diskState: .devices[0]["disk-state"],
        sizeKiB: .devices[0].size, backingKiB: $backing,
        peers: [(.connections // [])[] | {nodeId: .["peer-node-id"], name,
          connection: .["connection-state"],
          peerDiskState: .peer_devices[0]["peer-disk-state"],
          syncPercent: .peer_devices[0]["percent-in-sync"]}]}' <<<"${json}")"
      disk="$(jq -r '.[0].devices[0]["disk-state"] // empty' <<<"${json}")"
    fi
    if command -v drbdadm >/dev/null; then adjust="$(status_adjust_needed)"; fi
  fi
  if [[ -r "${STATE_DIR}/${RES}.config.sha256" ]]; then sha="$(<"${STATE_DIR}/${RES}.config.sha256")"; fi
  if [[ -r "${STATE_DIR}/${RES}.max-peers" ]]; then max_peers="$(<"${STATE_DIR}/${RES}.max-peers")"; fi
  [[ "${max_peers}" =~ ^[1-9][0-9]?$ ]] || max_peers=null
  data_volume="$(status_data_volume 2>/dev/null || true)"
  if [[ -n "${data_volume}" ]]; then data_gib="$(status_size_gib "${data_volume#* }")"; fi
  if [[ -n "${data_volume}" && "${lvm_ready}" == true ]]; then growable="$(status_backing_growable "${data_volume#* }")"; fi
  [[ "${data_gib}" =~ ^[0-9]{1,6}$ ]] || data_gib=null
  printf '%s\n' \
    hostname "$(json_str "$(uname -n)" '^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$')" \
    address "$(json_str "$(status_private_address)" '^[0-9]{1,3}(\.[0-9]{1,3}){3}$')" \
    drbdVersion "$(json_str "$(status_drbd_version)" '^[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.~+-]*$')" \
    dataVolumeId "$(json_str "${data_volume%% *}" '^vol-[0-9a-f]{8,17}$')" dataVolumeGiB "${data_gib}" \
    lvmReady "${lvm_ready}" backingGrowable "${growable}" configSha256 "$(json_str "${sha}" '^[0-9a-f]{64}$')" \
    metadata "$(status_metadata "${disk}")" maxPeers "${max_peers}" \
    up "${up}" adjustNeeded "${adjust}" resource "${resource}"
}
