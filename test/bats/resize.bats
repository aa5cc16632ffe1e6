#!/usr/bin/env bats
# drbd-resize with stubs: the device grows only while every copy is UpToDate and Connected,
# each condition re-checked on the node; a retry after the growth changes nothing.

load test_helper

UP_TO_DATE_PEERS=(1:Connected:UpToDate 2:Connected:UpToDate)
# The stub's device holds 94371840 KiB (90 GiB); the grown one 188743680 KiB.
GROWN_KIB=188743680

@test "resize grows the device when every copy is UpToDate and Connected" {
  given_up Secondary UpToDate "${UP_TO_DATE_PEERS[@]}"
  echo "${GROWN_KIB}" >"${STUB_STATE}/resize.kib"
  render drbd-resize BelowKiB=180000000
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result sizeBeforeKiB 94371840
  assert_result sizeAfterKiB "${GROWN_KIB}"
  assert_result resource.sizeKiB "${GROWN_KIB}"
  grep -qx 'drbdadm resize r0' "${CALLS}"
}

@test "resize changes nothing when the device is already at least BelowKiB (a retry)" {
  given_up Secondary UpToDate "${UP_TO_DATE_PEERS[@]}"
  render drbd-resize BelowKiB=94371840
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_no_mutating_calls
}

@test "resize refuses while a peer's disk is not UpToDate" {
  given_up Secondary UpToDate 1:Connected:UpToDate 2:Connected:Inconsistent
  echo "${GROWN_KIB}" >"${STUB_STATE}/resize.kib"
  render drbd-resize BelowKiB=180000000
  run -3 --separate-stderr "${SCRIPT}"
  assert_result changed false
  [[ "$(result error)" == *"peer 2 disk is Inconsistent"* ]]
  assert_no_mutating_calls
}

@test "resize refuses while a peer is not Connected, or the local disk is not UpToDate" {
  given_up Secondary UpToDate 1:Connecting:DUnknown 2:Connected:UpToDate
  render drbd-resize BelowKiB=180000000
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"peer 1 is Connecting"* ]]
  given_up Secondary Outdated "${UP_TO_DATE_PEERS[@]}"
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"local disk is Outdated"* ]]
  assert_no_mutating_calls
}

@test "resize refuses during a resync" {
  given_up Primary UpToDate "${UP_TO_DATE_PEERS[@]}"
  jq -c '.[0].connections[1].peer_devices[0]["replication-state"] = "SyncSource"' "${STUB_STATE}/status.json" \
    >"${STUB_STATE}/status.json.new"
  mv "${STUB_STATE}/status.json.new" "${STUB_STATE}/status.json"
  render drbd-resize BelowKiB=180000000
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"peer 2 replication is SyncSource"* ]]
  assert_no_mutating_calls
}

@test "resize fails naming the sizes when DRBD keeps the device below BelowKiB" {
  given_up Secondary UpToDate "${UP_TO_DATE_PEERS[@]}"
  render drbd-resize BelowKiB=180000000
  run -3 --separate-stderr "${SCRIPT}"
  assert_result changed false
  [[ "$(result error)" == *"left r0 at 94371840 KiB, below 180000000 KiB"* ]]
}

@test "resize reports not ready when the resource is down" {
  render drbd-resize BelowKiB=180000000
  run -5 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_no_mutating_calls
}
