#!/usr/bin/env bats
# drbd-grow-backing with stubs: online growth of PV, thin pool and thin LV after the EBS data volume
# grew in place; never shrinks, refuses a disk that is not our PV, idempotent.

load test_helper

GROW_PATTERN='^(pvresize|lvextend|pvcreate|vgcreate|lvcreate)( |$)'

setup() {
  common_setup
  ln -sf "${STUBS_DIR}/lvm" "${BIN}/pvresize"
  ln -sf "${STUBS_DIR}/lvm" "${BIN}/lvextend"
}

@test "grow-backing grows PV, thin pool and thin LV when the data volume grew from 100 to 120 GiB" {
  given_prepared_lvm 120
  render drbd-grow-backing
  run -0 --separate-stderr "${SCRIPT}"
  assert_result ok true
  assert_result changed true
  assert_result grown '["pv","thin-pool-metadata","thin-pool","thin-lv"]'
  assert_result device "\"${NODE_ROOT}/dev/nvme1n1\""
  assert_result volume '"vol-0123456789abcdef0"'
  # 120 GiB: 30719 extents; 95% of them (29183) at 64 bytes per 64 KiB chunk: 29 extents of
  # metadata; the pool's data 29183 less metadata and spare (58): what a fresh 120 GiB VG gets, so
  # a replacement prepared on a 120 GiB volume holds as much (not the 29135 the 100 GiB metadata left)
  grep -qx "pvresize ${NODE_ROOT}/dev/nvme1n1" "${CALLS}"
  grep -qx "lvextend --poolmetadatasize $(( 29 * 4194304 ))b drbdpool/thinpool" "${CALLS}"
  grep -qx 'lvextend --extents 29125 drbdpool/thinpool' "${CALLS}"
  grep -qx "lvextend --size $(( 29125 * 4194304 ))b drbdpool/r0" "${CALLS}"
  assert_result pvKiB $(( 30719 * 4096 ))
  assert_result poolKiB $(( 29125 * 4096 ))
  assert_result lvKiB $(( 29125 * 4096 ))
  assert_result backingGrowable false
  [[ "$(sed -n '/^pvresize/=' "${CALLS}")" -lt "$(sed -n '/^lvextend --poolmetadatasize/=' "${CALLS}")" ]]
  [[ "$(sed -n '/^lvextend --poolmetadatasize/=' "${CALLS}")" -lt "$(sed -n '/^lvextend --extents/=' "${CALLS}")" ]]
  [[ "$(sed -n '/^lvextend --extents/=' "${CALLS}")" -lt "$(sed -n '/^lvextend --size/=' "${CALLS}")" ]]
}

@test "grow-backing reports changed=false and grows nothing on its second run" {
  given_prepared_lvm 120
  render drbd-grow-backing
  run -0 --separate-stderr "${SCRIPT}"
  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result grown '[]'
  assert_no_mutating_calls
}

@test "grow-backing has nothing to do on a freshly prepared node: changed=false, exit 0" {
  given_prepared_lvm 100
  render drbd-grow-backing
  run -0 --separate-stderr "${SCRIPT}"
  assert_result ok true
  assert_result changed false
  assert_result grown '[]'
  assert_result poolKiB $(( 24271 * 4096 ))
  assert_result backingGrowable false
  assert_no_mutating_calls
}

@test "grow-backing grows only the thin LV when PV and pool are already large enough" {
  given_prepared_lvm 100
  echo $(( 20000 * 4194304 )) >"${STUB_STATE}/lvm/lv_size.drbdpool.r0"
  render drbd-grow-backing
  run -0 --separate-stderr "${SCRIPT}"
  assert_result grown '["thin-lv"]'
  run ! grep -E '^(pvresize|lvextend --extents)' "${CALLS}"
}

@test "grow-backing never shrinks: a pool or LV larger than the rule's size is left as it is" {
  given_prepared_lvm 100
  echo $(( 25000 * 4194304 )) >"${STUB_STATE}/lvm/lv_size.drbdpool.thinpool"
  echo "25599 551" >"${STUB_STATE}/lvm/vg_extents.drbdpool"
  echo $(( 26000 * 4194304 )) >"${STUB_STATE}/lvm/lv_size.drbdpool.r0"
  render drbd-grow-backing
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result lvKiB $(( 26000 * 4096 ))
  assert_no_mutating_calls
}

@test "grow-backing never shrinks the PV when the disk reports less than the PV holds" {
  given_prepared_lvm 90
  render drbd-grow-backing
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_no_mutating_calls
}

@test "grow-backing refuses a PV of another volume group and writes nothing" {
  given_prepared_lvm 120
  echo othervg >"${STUB_STATE}/lvm/pv.nvme1n1"
  render drbd-grow-backing
  run -3 --separate-stderr "${SCRIPT}"
  assert_result ok false
  assert_result changed false
  [[ "$(result error)" == *"othervg"* ]]
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing refuses a blank data disk while the volume group lives elsewhere" {
  given_prepared_lvm 120
  rm "${STUB_STATE}/blkid/nvme1n1" "${STUB_STATE}/lvm/pv.nvme1n1"
  render drbd-grow-backing
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"is not a physical volume of drbdpool"* ]]
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing refuses a data disk with a file system and writes nothing" {
  given_prepared_lvm 120
  printf 'TYPE=ext4\nUSAGE=filesystem\n' >"${STUB_STATE}/blkid/nvme1n1"
  render drbd-grow-backing
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"TYPE=ext4"* ]]
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing refuses a logical volume that is not a thin volume of the pool" {
  given_prepared_lvm 120
  echo otherpool >"${STUB_STATE}/lvm/lv.drbdpool.r0"
  render drbd-grow-backing
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"not a thin volume of drbdpool/thinpool"* ]]
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing refuses to choose between two EBS data volumes" {
  given_prepared_lvm 120 vol0fedcba9876543210
  render drbd-grow-backing
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing reports the node not ready before drbd-prepare-lvm: no volume group" {
  given_ebs_disks
  render drbd-grow-backing
  run -5 --separate-stderr "${SCRIPT}"
  assert_result ok false
  [[ "$(result error)" == *"Volume group drbdpool does not exist"* ]]
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing reports the node not ready when the thin volume is missing" {
  given_prepared_lvm 120
  rm "${STUB_STATE}/lvm/lv.drbdpool.r0"
  render drbd-grow-backing
  run -5 --separate-stderr "${SCRIPT}"
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing reports the node not ready without the LVM tools or a data volume" {
  given_prepared_lvm 120
  unstub lvextend
  render drbd-grow-backing
  run -5 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"lvextend is not installed"* ]]
  ln -sf "${STUBS_DIR}/lvm" "${BIN}/lvextend"
  rm "${DISK_BY_ID_DIR}"/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0*
  run -5 --separate-stderr "${SCRIPT}"
  run ! grep -E "${GROW_PATTERN}" "${CALLS}"
}

@test "grow-backing stops with exit 4 when lvextend fails, after the pvresize it did" {
  given_prepared_lvm 120
  echo 5 >"${STUB_STATE}/fail.lvextend"
  render drbd-grow-backing
  run -4 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result grown '["pv"]'
  [[ "$(result error)" == *"lvextend of the thin pool's metadata failed"* ]]
}
