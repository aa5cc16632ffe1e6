#!/usr/bin/env bats
# drbd-skip-initial-sync with stubs: invariant I2, every condition re-checked on the node.

load test_helper

BRAND_NEW_PEERS=(1:Connected:Inconsistent 2:Connected:Inconsistent)

@test "skip-initial-sync clears the bitmap on a brand-new, fully connected, all-Inconsistent mesh" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  render drbd-skip-initial-sync
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  grep -qx 'drbdadm new-current-uuid --clear-bitmap r0/0' "${CALLS}"
  grep -qx 'drbdsetup get-gi r0 1 0' "${CALLS}"
  grep -qx 'drbdsetup get-gi r0 2 0' "${CALLS}"
}

@test "skip-initial-sync reports changed=false when run again on the node that skipped" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  render drbd-skip-initial-sync
  run -0 --separate-stderr "${SCRIPT}"
  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result ok true
  assert_result changed false
  assert_no_mutating_calls
}

@test "skip-initial-sync refuses when the local disk is UpToDate" {
  given_up Secondary UpToDate "${BRAND_NEW_PEERS[@]}"
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  assert_result changed false
  [[ "$(result error)" == *"local disk is UpToDate"* ]]
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses when a peer disk is UpToDate" {
  given_up Secondary Inconsistent 1:Connected:Inconsistent 2:Connected:UpToDate
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"peer 2 disk is UpToDate"* ]]
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses on an existing cluster where every disk is UpToDate" {
  given_up Secondary UpToDate 1:Connected:UpToDate 2:Connected:UpToDate
  echo "9A1B2C3D4E5F6071:0000000000000000:0000000000000004:0000000000000000:1:1:0:0:1:0:0:0:0:0:0:0" >"${STUB_STATE}/gi"
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses when a peer is not connected" {
  given_up Secondary Inconsistent 1:Connected:Inconsistent 2:Connecting:DUnknown
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"peer 2 is Connecting"* ]]
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses when the resource has no peer connection" {
  given_up Secondary Inconsistent
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses when the current UUID is not the just-created one" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  echo "7D4F0B1C2E3A5968:0000000000000000:0000000000000000:0000000000000000:0:0:0:0:1:0:0:0:0:0:0:0" >"${STUB_STATE}/gi.2"
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"UUIDs of peer device 2 are not fresh"* ]]
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses when a bitmap UUID exists" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  echo "0000000000000004:5E2A9C0D7B3F1846:0000000000000000:0000000000000000:0:0:0:0:1:0:0:0:0:0:0:0" >"${STUB_STATE}/gi.1"
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync refuses when a history UUID exists" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  echo "0000000000000004:0000000000000000:0000000000000000:3C5D7E9F1A2B4C6D:0:0:0:0:1:0:0:0:0:0:0:0" >"${STUB_STATE}/gi.1"
  render drbd-skip-initial-sync
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync reports the node not ready when the resource is down" {
  render drbd-skip-initial-sync
  run -5 --separate-stderr "${SCRIPT}"
  run ! grep 'new-current-uuid' "${CALLS}"
}

@test "skip-initial-sync acts only on the node named by ActingNodeId, and reports settled once all are UpToDate" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  render drbd-skip-initial-sync ActingNodeId=0
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result acted true
  grep -qx 'drbdadm new-current-uuid --clear-bitmap r0/0' "${CALLS}"
}

@test "skip-initial-sync on another node than ActingNodeId changes nothing, waits for UpToDate and reports it" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  status_json Secondary UpToDate 1:Connected:UpToDate 2:Connected:UpToDate >"${BATS_TEST_TMPDIR}/later.json"
  ( sleep 2; mv "${BATS_TEST_TMPDIR}/later.json" "${STUB_STATE}/status.json" ) &
  export DRBD_PEER_WAIT_SECONDS=20
  render drbd-skip-initial-sync ActingNodeId=1
  SECONDS=0
  run -0 --separate-stderr "${SCRIPT}"
  (( SECONDS < 10 ))
  assert_result changed false
  assert_result acted false
  assert_result settled true
  assert_result resource.diskState '"UpToDate"'
  assert_no_mutating_calls
  run ! grep get-gi "${CALLS}"
}

@test "skip-initial-sync on another node reports settled false when its disk stays Inconsistent" {
  given_up Secondary Inconsistent "${BRAND_NEW_PEERS[@]}"
  export DRBD_PEER_WAIT_SECONDS=1
  render drbd-skip-initial-sync ActingNodeId=2
  run -0 --separate-stderr "${SCRIPT}"
  assert_result settled false
  assert_result resource.diskState '"Inconsistent"'
  assert_no_mutating_calls
}
