#!/usr/bin/env bats
# drbd-forget-peer with stubs: invariants I3 (never drop the only UpToDate copy) and I6.

load test_helper

@test "forget-peer deletes and forgets a departed peer on an UpToDate survivor" {
  given_up Primary UpToDate 1:Connected:UpToDate 2:Connecting:DUnknown
  render drbd-forget-peer PeerNodeId=2
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result peerDeleted true
  assert_result forget '"forgotten"'
  grep -qx 'drbdsetup del-peer r0 2' "${CALLS}"
  grep -qx 'drbdsetup forget-peer r0 2' "${CALLS}"
}

@test "forget-peer only forgets when adjust already removed the peer connection" {
  given_up Secondary UpToDate 1:Connected:UpToDate
  render drbd-forget-peer PeerNodeId=2
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result peerDeleted false
  run ! grep 'del-peer' "${CALLS}"
}

@test "forget-peer reports changed=false for a peer already forgotten" {
  given_up Primary UpToDate 1:Connected:UpToDate 2:StandAlone:DUnknown
  render drbd-forget-peer PeerNodeId=2
  run -0 --separate-stderr "${SCRIPT}"
  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result forget '"already-forgotten"'
  run ! grep 'del-peer' "${CALLS}"
}

@test "forget-peer refuses while the local disk is not UpToDate" {
  given_up Secondary Inconsistent 1:Connected:UpToDate 2:Connecting:DUnknown
  render drbd-forget-peer PeerNodeId=2
  run -3 --separate-stderr "${SCRIPT}"
  assert_result changed false
  [[ "$(result error)" == *"only UpToDate copy"* ]]
  run ! grep -E 'del-peer|forget-peer' "${CALLS}"
}

@test "forget-peer refuses a peer that the config on the node still names" {
  given_up Primary UpToDate 1:StandAlone:DUnknown 2:Connected:UpToDate
  render drbd-forget-peer PeerNodeId=1
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"still names node-id 1"* ]]
  run ! grep -E 'del-peer|forget-peer' "${CALLS}"
}

@test "forget-peer deletes and forgets a departed peer that is still Connected (its instance is terminating)" {
  given_up Secondary UpToDate 1:Connected:UpToDate 2:Connected:UpToDate
  render drbd-forget-peer PeerNodeId=2
  run -0 --separate-stderr "${SCRIPT}"
  assert_result peerDeleted true
  grep -qx 'drbdsetup del-peer r0 2' "${CALLS}"
  grep -qx 'drbdsetup forget-peer r0 2' "${CALLS}"
}

@test "forget-peer matches the whole node-id: node-id 12 is not node-id 1" {
  given_up Secondary UpToDate 12:Connected:UpToDate
  printf 'resource r0 {\n    on nodea {\n        node-id 0;\n    }\n    on nodem {\n        node-id 12;\n    }\n}\n' \
    >"${STUB_STATE}/dump"
  render drbd-forget-peer PeerNodeId=1
  run -0 --separate-stderr "${SCRIPT}"
  render drbd-forget-peer PeerNodeId=12
  run -3 --separate-stderr "${SCRIPT}"
}

@test "forget-peer refuses to forget this node itself" {
  given_up Primary UpToDate 1:Connected:UpToDate
  render drbd-forget-peer PeerNodeId=0
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep -E 'del-peer|forget-peer' "${CALLS}"
}

@test "forget-peer rejects a node-id beyond 31 and needs the resource up" {
  render drbd-forget-peer PeerNodeId=32
  run -2 --separate-stderr "${SCRIPT}"
  render drbd-forget-peer PeerNodeId=3
  run -5 --separate-stderr "${SCRIPT}"
  run ! grep -E 'del-peer|forget-peer' "${CALLS}"
}

@test "forget-peer fails with exit code 4 when drbdsetup forget-peer fails otherwise" {
  given_up Primary UpToDate 1:Connected:UpToDate
  echo 'r0: Failure: (118) IO error(s) occurred during initial access to meta-data.' >"${STUB_STATE}/forget-peer.err"
  render drbd-forget-peer PeerNodeId=2
  run -4 --separate-stderr "${SCRIPT}"
  assert_result ok false
  [[ "$(result error)" == *"(118)"* ]]
}
