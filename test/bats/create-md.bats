#!/usr/bin/env bats
# drbd-create-md with stubs: invariant I1 (never create-md over existing metadata or data).

load test_helper

@test "create-md writes metadata once on a blank backing device and reports changed=false on the second run" {
  given_backing
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result found '"absent"'
  [[ "$(grep -c '^drbdadm create-md' "${CALLS}")" == 1 ]]
  grep -qx 'drbdadm create-md --max-peers=5 r0' "${CALLS}"

  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result found '"present"'
  assert_no_mutating_calls
}

@test "create-md leaves a backing device with DRBD metadata untouched" {
  given_backing
  touch "${STUB_STATE}/md"
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result ok true
  assert_result changed false
  assert_result found '"present"'
  run ! grep 'create-md' "${CALLS}"
}

@test "create-md reports present without touching the disk when the resource is attached" {
  given_backing
  given_up Secondary UpToDate 1:Connected:UpToDate
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result found '"present"'
  run ! grep -E 'create-md|dump-md' "${CALLS}"
}

@test "create-md refuses a backing device that carries a file system and writes nothing" {
  given_backing
  mkdir -p "${STUB_STATE}/blkid"
  printf 'UUID=1234\nTYPE=ext4\nUSAGE=filesystem\n' >"${STUB_STATE}/blkid/r0"
  render drbd-create-md MaxPeers=5
  run -3 --separate-stderr "${SCRIPT}"
  assert_result ok false
  assert_result changed false
  assert_result found '"foreign"'
  [[ "${stderr}" == *"TYPE=ext4"* ]]
  run ! grep 'create-md' "${CALLS}"
}

@test "create-md refuses DRBD metadata of another format that dump-md cannot read" {
  given_backing
  mkdir -p "${STUB_STATE}/blkid"
  printf 'VERSION=v08\nTYPE=drbd\nUSAGE=raid\n' >"${STUB_STATE}/blkid/r0"
  render drbd-create-md MaxPeers=5
  run -3 --separate-stderr "${SCRIPT}"
  assert_result found '"foreign"'
  run ! grep 'create-md' "${CALLS}"
}

@test "create-md fails without writing when the metadata check itself fails" {
  given_backing
  echo 20 >"${STUB_STATE}/dump-md.rc"
  render drbd-create-md MaxPeers=5
  run -4 --separate-stderr "${SCRIPT}"
  assert_result found '"unknown"'
  run ! grep 'create-md' "${CALLS}"
}

@test "create-md passes MaxPeers to drbdadm and rejects a value beyond 31" {
  given_backing
  render drbd-create-md MaxPeers=15
  run -0 --separate-stderr "${SCRIPT}"
  grep -qx 'drbdadm create-md --max-peers=15 r0' "${CALLS}"
  [[ "$(<"${DRBD_STATE_DIR}/r0.max-peers")" == 15 ]]
  assert_result maxPeers 15

  # Run Command refuses 32 by the allowedPattern already ...
  run -2 --separate-stderr render drbd-create-md MaxPeers=32
  [[ "${stderr}" == *'value "32" of MaxPeers does not match'* ]]
  # ... and the script re-checks it on the node: the rendered script with 32 put in by hand.
  rm "${STUB_STATE}/md"
  : >"${CALLS}"
  render drbd-create-md MaxPeers=31
  sed -i 's/^readonly MAX_PEERS="31"$/readonly MAX_PEERS="32"/' "${SCRIPT}"
  grep -qx 'readonly MAX_PEERS="32"' "${SCRIPT}"
  run -2 --separate-stderr "${SCRIPT}"
  assert_result ok false
  run ! grep 'create-md' "${CALLS}"
}

@test "create-md reports the node not ready when the resource has no config" {
  render drbd-create-md MaxPeers=5
  run -5 --separate-stderr "${SCRIPT}"
  assert_result ok false
  run ! grep 'create-md' "${CALLS}"
}

@test "create-md reports the node not ready when drbd-utils is not installed" {
  unstub drbdadm
  render drbd-create-md MaxPeers=5
  run -5 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"drbdadm is not installed"* ]]
}

@test "a rebooted node keeps its metadata and is brought up without create-md" {
  given_backing
  touch "${STUB_STATE}/md"
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  status_json Secondary UpToDate 1:Connecting:DUnknown 2:Connected:UpToDate >"${STUB_STATE}/status.json"
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  assert_result action '"up"'
  grep -qx 'drbdadm up r0' "${CALLS}"
  run ! grep 'create-md' "${CALLS}"
}
