#!/usr/bin/env bats
# The node status (node_status in ssm-documents/lib/prelude.bash) that every document's result
# line carries after its own fields: the same fields, from the same code, taken after the work.

load test_helper

STATUS_FIELDS=(hostname address drbdVersion dataVolumeId dataVolumeGiB lvmReady configSha256 metadata up adjustNeeded resource)

# status_of_result: the status fields of the last stdout line, as one JSON object.
status_of_result() {
  node -e '
    const o = JSON.parse(process.argv[1]);
    const want = process.argv.slice(2);
    const missing = want.filter((k) => !(k in o));
    if (missing.length) throw new Error("missing status fields: " + missing);
    console.log(JSON.stringify(Object.fromEntries(want.map((k) => [k, o[k]]))));
  ' "${lines[${#lines[@]}-1]}" "${STATUS_FIELDS[@]}"
}

# a_converged_node: the stub state of a node that runs r0, UpToDate with two peers.
a_converged_node() {
  given_ebs_disks
  given_backing
  mkdir -p "${STUB_STATE}/lvm" "${SYS_MODULE_DIR}/drbd"
  touch "${STUB_STATE}/lvm/lv.drbdpool.r0" "${STUB_STATE}/md"
  echo 9.2.12 >"${SYS_MODULE_DIR}/drbd/version"
  printf '%064d\n' 7 >"${DRBD_STATE_DIR}/r0.config.sha256"
  given_up Secondary UpToDate 1:Connected:UpToDate 2:Connected:UpToDate
}

@test "every document's result line carries the status fields drbd-status prints, after its own" {
  a_converged_node
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  local want doc
  want="$(status_of_result)"
  [[ "$(result resource.diskState)" == '"UpToDate"' ]]
  for doc in drbd-install drbd-prepare-lvm drbd-create-md drbd-up drbd-skip-initial-sync; do
    local args=()
    [[ "${doc}" != drbd-create-md ]] || args=(MaxPeers=5)
    render "${doc}" "${args[@]}"
    run --separate-stderr "${SCRIPT}"
    [[ "$(status_of_result)" == "${want}" ]] \
      || { echo "${doc}: $(status_of_result) differs from drbd-status: ${want}" >&2; return 1; }
    # its own fields come first, error last
    node -e '
      const keys = Object.keys(JSON.parse(process.argv[1]));
      if (keys[0] !== "ok" || keys[keys.length - 1] !== "error" || keys[keys.length - 2] !== "resource") process.exit(1);
    ' "${lines[${#lines[@]}-1]}" || { echo "${doc}: field order ${lines[${#lines[@]}-1]}" >&2; return 1; }
  done
}

@test "the status in create-md's result is taken after its work: metadata true, where drbd-status said false" {
  given_ebs_disks
  given_backing
  mkdir -p "${STUB_STATE}/lvm"
  touch "${STUB_STATE}/lvm/lv.drbdpool.r0"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result metadata false
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result found '"absent"'
  assert_result metadata true
  assert_result lvmReady true
  assert_result up false
  assert_result error null
}

@test "a failing document still reports the status, with ok false and its error" {
  given_backing
  touch "${STUB_STATE}/fail.drbdadm"
  render drbd-create-md MaxPeers=5
  run -5 --separate-stderr "${SCRIPT}"
  assert_result ok false
  assert_result up false
  assert_result hostname "\"$(uname -n)\""
  [[ "$(result error)" == *"is not configured for this host"* ]]
}

@test "the status takes the parameters' volume group and logical volume" {
  mkdir -p "${STUB_STATE}/lvm"
  touch "${STUB_STATE}/lvm/lv.othervg.otherlv"
  render drbd-install VolumeGroup=othervg LogicalVolume=otherlv
  run --separate-stderr "${SCRIPT}"
  assert_result lvmReady true
  render drbd-install
  run --separate-stderr "${SCRIPT}"
  assert_result lvmReady false
}
