#!/usr/bin/env bats
# drbd-prepare-lvm with stubs: data disk discovery by EBS by-id name, VG/pool/LV if absent,
# refusal of any disk that is not blank and not our own PV.

load test_helper

DATA_DISK_PATTERN='(pvcreate|vgcreate|lvcreate)'

@test "prepare-lvm creates PV, VG, thin pool and thin LV on the blank non-root EBS volume" {
  given_ebs_disks
  render drbd-prepare-lvm
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result dataVolumeId '"vol-0123456789abcdef0"'
  assert_result device "\"${NODE_ROOT}/dev/nvme1n1\""
  assert_result logicalVolume '"/dev/drbdpool/r0"'
  assert_result created '["pv","vg","thin-pool","thin-lv"]'
  grep -qx "pvcreate ${NODE_ROOT}/dev/nvme1n1" "${CALLS}"
  grep -qx "vgcreate drbdpool ${NODE_ROOT}/dev/nvme1n1" "${CALLS}"
  grep -qx 'lvcreate --type thin-pool --extents 95%FREE --name thinpool drbdpool' "${CALLS}"
  grep -qx 'lvs --noheadings --nosuffix --units b -o lv_size drbdpool/thinpool' "${CALLS}"
  grep -qx 'lvcreate --type thin --virtualsize 96556630016b --thinpool thinpool --name r0 drbdpool' "${CALLS}"
  run ! grep -E "(pvcreate|vgcreate).*nvme0n1" "${CALLS}"
}

@test "prepare-lvm reports changed=false and creates nothing on its second run" {
  given_ebs_disks
  render drbd-prepare-lvm
  run -0 --separate-stderr "${SCRIPT}"
  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result created '[]'
  assert_no_mutating_calls
}

@test "prepare-lvm completes a half-done preparation: VG present, pool and LV missing" {
  given_ebs_disks
  mkdir -p "${STUB_STATE}/lvm" "${STUB_STATE}/blkid"
  echo drbdpool >"${STUB_STATE}/lvm/pv.nvme1n1"
  touch "${STUB_STATE}/lvm/vg.drbdpool"
  echo TYPE=LVM2_member >"${STUB_STATE}/blkid/nvme1n1"
  render drbd-prepare-lvm
  run -0 --separate-stderr "${SCRIPT}"
  assert_result created '["thin-pool","thin-lv"]'
  run ! grep -E '^(pvcreate|vgcreate)' "${CALLS}"
}

@test "prepare-lvm refuses a data disk with an ext4 file system and writes nothing" {
  given_ebs_disks
  mkdir -p "${STUB_STATE}/blkid"
  printf 'TYPE=ext4\nUSAGE=filesystem\n' >"${STUB_STATE}/blkid/nvme1n1"
  render drbd-prepare-lvm
  run -3 --separate-stderr "${SCRIPT}"
  assert_result ok false
  assert_result changed false
  assert_result dataVolumeId '"vol-0123456789abcdef0"'
  [[ "$(result error)" == *"TYPE=ext4"* ]]
  run ! grep -E "^${DATA_DISK_PATTERN}" "${CALLS}"
}

@test "prepare-lvm refuses a data disk with a partition table" {
  given_ebs_disks
  mkdir -p "${STUB_STATE}/blkid"
  printf 'PTUUID=abcd\nPTTYPE=gpt\n' >"${STUB_STATE}/blkid/nvme1n1"
  render drbd-prepare-lvm
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep -E "^${DATA_DISK_PATTERN}" "${CALLS}"
}

@test "prepare-lvm refuses a physical volume that belongs to another volume group" {
  given_ebs_disks
  mkdir -p "${STUB_STATE}/lvm" "${STUB_STATE}/blkid"
  echo othervg >"${STUB_STATE}/lvm/pv.nvme1n1"
  echo TYPE=LVM2_member >"${STUB_STATE}/blkid/nvme1n1"
  render drbd-prepare-lvm
  run -3 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"othervg"* ]]
  run ! grep -E "^${DATA_DISK_PATTERN}" "${CALLS}"
}

@test "prepare-lvm refuses to choose between two EBS data volumes" {
  given_ebs_disks vol0fedcba9876543210
  render drbd-prepare-lvm
  run -3 --separate-stderr "${SCRIPT}"
  run ! grep -E "^${DATA_DISK_PATTERN}" "${CALLS}"
}

@test "prepare-lvm reports the node not ready when only the root volume is attached" {
  given_ebs_disks
  rm "${DISK_BY_ID_DIR}"/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0*
  render drbd-prepare-lvm
  run -5 --separate-stderr "${SCRIPT}"
  assert_result ok false
  run ! grep -E "^${DATA_DISK_PATTERN}" "${CALLS}"
}

@test "prepare-lvm stops, creating no thin volume, when lvs reports no size for the pool" {
  given_ebs_disks
  mkdir -p "${STUB_STATE}/lvm"
  : >"${STUB_STATE}/lvm/lv_size.drbdpool.thinpool"
  render drbd-prepare-lvm
  run -4 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"no size for the thin pool"* ]]
  run ! grep -E '^lvcreate --type thin ' "${CALLS}"
}
