#!/usr/bin/env bats
# drbd-up with stubs: up when down, adjust only when the dry run lists work, state report.

load test_helper

@test "up brings a resource up when drbdsetup does not know it and reports per-peer states" {
  status_json Secondary Inconsistent 1:Connected:Inconsistent 2:Connecting:DUnknown >"${STUB_STATE}/status.json"
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result action '"up"'
  assert_result resource.role '"Secondary"'
  assert_result resource.diskState '"Inconsistent"'
  assert_result resource.peers.0 '{"nodeId":1,"name":"node1","connection":"Connected","peerDiskState":"Inconsistent","syncPercent":100}'
  assert_result resource.peers.1.connection '"Connecting"'
  grep -qx 'drbdadm up r0' "${CALLS}"
  run ! grep -x 'drbdadm adjust r0' "${CALLS}"
}

@test "up adjusts a running resource whose config changed" {
  given_up Secondary UpToDate 1:Connected:UpToDate
  echo 'drbdsetup new-peer r0 2 --_name=nodec' >"${STUB_STATE}/adjust.plan"
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result action '"adjust"'
  grep -qx 'drbdadm adjust r0' "${CALLS}"
  run ! grep -x 'drbdadm up r0' "${CALLS}"
}

@test "up reports changed=false and calls no mutating command when the resource matches its config" {
  given_up Primary UpToDate 1:Connected:UpToDate 2:Connected:UpToDate
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result action '"none"'
  assert_result resource.role '"Primary"'
  grep -qx 'drbdadm -d adjust r0' "${CALLS}"
  assert_no_mutating_calls
}

@test "up reports the second run after an up as changed=false" {
  status_json Secondary Inconsistent 1:Connected:Inconsistent >"${STUB_STATE}/status.json"
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_no_mutating_calls
}

@test "up fails with exit code 4 when drbdadm up fails" {
  echo 10 >"${STUB_STATE}/fail.drbdadm"
  render drbd-up
  run -4 --separate-stderr "${SCRIPT}"
  assert_result ok false
  assert_result resource null
}

@test "up never shows the shared secret that drbdadm prints in its plan or its errors" {
  given_up Secondary UpToDate 1:Connected:UpToDate
  echo "drbdsetup new-peer r0 2 --_name=nodec --cram-hmac-alg=sha256 --shared-secret=TopSecret1234567" \
    >"${STUB_STATE}/adjust.plan"
  echo "Command 'drbdsetup new-peer r0 2 --shared-secret=TopSecret1234567' terminated with exit code 10" \
    >"${STUB_STATE}/drbdadm.output"
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  assert_result action '"adjust"'
  run ! grep -q TopSecret1234567 <<<"${output}${stderr}"
  [[ "${stderr}" == *"--shared-secret=***"* ]]
}

@test "up masks the shared secret when drbdadm up fails" {
  status_json Secondary Inconsistent >"${STUB_STATE}/status.json"
  echo "Command 'drbdsetup new-peer r0 1 --shared-secret=\"TopSecret1234567\"' terminated with exit code 10" \
    >"${STUB_STATE}/drbdadm.output"
  echo 10 >"${STUB_STATE}/up.rc"
  render drbd-up
  run -4 --separate-stderr "${SCRIPT}"
  [[ "${stderr}" == *"terminated with exit code 10"* ]]
  run ! grep -q TopSecret1234567 <<<"${output}${stderr}"
}

@test "up waits, bounded, until its peers are Connected and reports them as they are then" {
  status_json Secondary Inconsistent 1:Connecting:DUnknown 2:Connecting:DUnknown >"${STUB_STATE}/status.json"
  status_json Secondary Inconsistent 1:Connected:Inconsistent 2:Connected:Inconsistent >"${BATS_TEST_TMPDIR}/later.json"
  ( sleep 2; mv "${BATS_TEST_TMPDIR}/later.json" "${STUB_STATE}/status.json" ) &
  export DRBD_PEER_WAIT_SECONDS=20
  render drbd-up
  SECONDS=0
  run -0 --separate-stderr "${SCRIPT}"
  (( SECONDS < 10 ))
  assert_result action '"up"'
  assert_result resource.peers.0.connection '"Connected"'
  assert_result resource.peers.1.peerDiskState '"Inconsistent"'
  assert_result up true
  assert_result settled true
}

@test "up reports unconnected peers as they are once its wait is over" {
  status_json Secondary Inconsistent 1:Connected:Inconsistent 2:Connecting:DUnknown >"${STUB_STATE}/status.json"
  export DRBD_PEER_WAIT_SECONDS=1
  render drbd-up
  run -0 --separate-stderr "${SCRIPT}"
  assert_result ok true
  assert_result resource.peers.1.connection '"Connecting"'
  assert_result settled false
  [[ "${stderr}" == *"Waited 1 s for the peers to settle resource=r0"* ]]
}

@test "up does not wait when it changed nothing" {
  given_up Secondary UpToDate 1:Connecting:DUnknown
  export DRBD_PEER_WAIT_SECONDS=30
  render drbd-up
  SECONDS=0
  run -0 --separate-stderr "${SCRIPT}"
  (( SECONDS < 10 ))
  assert_result changed false
  assert_result resource.peers.0.connection '"Connecting"'
}
