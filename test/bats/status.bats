#!/usr/bin/env bats
# drbd-status with stubs: the observation contract of docs/CONTRACTS.md, read-only.

load test_helper

# Commands drbd-status may call; anything else recorded fails the read-only test.
READ_ONLY_CALLS='^(drbdsetup status r0 --json|drbdadm -d adjust r0|drbdmeta - v09 /dev/drbdpool/r0 internal dump-md|lvs drbdpool/r0|lvs --noheadings --nosuffix --units b -o lv_size drbdpool/r0|modinfo -F version drbd|curl .*|findmnt -n -o SOURCE /|lsblk -l -n -s -o KNAME,TYPE /dev/nvme0n1p1|lsblk -b -d -n -o SIZE .*/dev/nvme1n1|pvs --noheadings --nosuffix --units b -o pv_size,pe_start,vg_name .*/dev/nvme1n1|vgs --noheadings --nosuffix --units b -o vg_extent_size,vg_extent_count,vg_free_count drbdpool|lvs --noheadings --nosuffix --units b -o lv_size,pool_lv drbdpool/r0|lvs --noheadings --nosuffix --units b -o lv_size,chunk_size,lv_metadata_size drbdpool/thinpool)$'

@test "status reports a converged node and calls only read-only commands" {
  given_ebs_disks
  given_backing
  mkdir -p "${STUB_STATE}/lvm" "${SYS_MODULE_DIR}/drbd"
  touch "${STUB_STATE}/lvm/lv.drbdpool.r0" "${STUB_STATE}/md"
  echo 9.2.12 >"${SYS_MODULE_DIR}/drbd/version"
  printf '%064d\n' 7 >"${DRBD_STATE_DIR}/r0.config.sha256"
  given_up Secondary UpToDate 1:Connected:UpToDate 2:Connected:UpToDate
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result ok true
  assert_result changed false
  assert_result hostname "\"$(uname -n)\""
  assert_result address '"10.0.1.23"'
  assert_result drbdVersion '"9.2.12"'
  assert_result dataVolumeId '"vol-0123456789abcdef0"'
  assert_result dataVolumeGiB 100
  assert_result lvmReady true
  assert_result configSha256 "\"$(printf '%064d' 7)\""
  assert_result metadata true
  assert_result maxPeers null
  assert_result up true
  assert_result adjustNeeded false
  assert_result resource.diskState '"UpToDate"'
  assert_result resource.sizeKiB 94371840
  assert_result resource.backingKiB 94293584
  assert_result resource.peers.1 '{"nodeId":2,"name":"node2","connection":"Connected","peerDiskState":"UpToDate","syncPercent":100}'
  assert_no_mutating_calls
  run ! grep -vE "${READ_ONLY_CALLS}" "${CALLS}"
}

@test "status reports nulls on a fresh node where nothing is installed" {
  unstub drbdadm drbdsetup drbdmeta modinfo lvs
  given_ebs_disks
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result drbdVersion null
  assert_result lvmReady false
  assert_result metadata null
  assert_result up false
  assert_result adjustNeeded null
  assert_result resource null
  assert_result configSha256 null
  assert_result dataVolumeId '"vol-0123456789abcdef0"'
  assert_no_mutating_calls
}

@test "status reports the data volume's size in whole GiB" {
  given_ebs_disks
  echo 53687091200 >"${STUB_STATE}/size.nvme1n1"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result dataVolumeGiB 50
}

@test "status reports no data volume size when the node has two data volumes" {
  given_ebs_disks vol0ffffeeeeddddcccc
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result dataVolumeId null
  assert_result dataVolumeGiB null
}

@test "status sees metadata on a rebooted node whose resource is down" {
  given_backing
  mkdir -p "${STUB_STATE}/lvm"
  touch "${STUB_STATE}/lvm/lv.drbdpool.r0" "${STUB_STATE}/md"
  echo 9.2.12 >"${STUB_STATE}/modinfo.version"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result drbdVersion '"9.2.12"'
  assert_result metadata true
  assert_result up false
  assert_result resource null
  run ! grep -vE "${READ_ONLY_CALLS}" "${CALLS}"
}

@test "status reports metadata false on a prepared volume without DRBD metadata, before any config" {
  mkdir -p "${STUB_STATE}/lvm"
  touch "${STUB_STATE}/lvm/lv.drbdpool.r0"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result metadata false
  assert_result lvmReady true
}

@test "status reports adjustNeeded when the running resource differs from its config" {
  given_up Secondary UpToDate 1:Connected:UpToDate
  echo 'drbdsetup del-peer r0 2' >"${STUB_STATE}/adjust.plan"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result adjustNeeded true
  assert_no_mutating_calls
}

@test "status reports address null when IMDS does not answer" {
  touch "${STUB_STATE}/fail.curl"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result address null
  assert_result ok true
}

@test "status reports backingGrowable true once the data volume grew beyond the physical volume, reading only" {
  given_prepared_lvm 120
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result backingGrowable true
  assert_result dataVolumeGiB 120
  assert_no_mutating_calls
  run ! grep -vE "${READ_ONLY_CALLS}" "${CALLS}"
}

@test "status reports backingGrowable false where PV, pool and LV already fill the data volume" {
  given_prepared_lvm 100
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result backingGrowable false
  assert_result lvmReady true
}

@test "status reports backingGrowable true when only the thin LV is smaller than its pool" {
  given_prepared_lvm 100
  echo $(( 20000 * 4194304 )) >"${STUB_STATE}/lvm/lv_size.drbdpool.r0"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result backingGrowable true
}

@test "status reports backingGrowable true when only the pool is below 95% of the volume group" {
  given_prepared_lvm 100
  echo $(( 20000 * 4194304 )) >"${STUB_STATE}/lvm/lv_size.drbdpool.thinpool"
  echo $(( 20000 * 4194304 )) >"${STUB_STATE}/lvm/lv_size.drbdpool.r0"
  echo "25599 5551" >"${STUB_STATE}/lvm/vg_extents.drbdpool"
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result backingGrowable true
}

@test "status reports backingGrowable null before LVM is prepared" {
  given_ebs_disks
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result lvmReady false
  assert_result backingGrowable null
}

@test "status reports backingGrowable null when the data disk is a PV of another volume group" {
  given_prepared_lvm 120
  render drbd-status
  echo othervg >"${STUB_STATE}/lvm/pv.nvme1n1"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result lvmReady true
  assert_result backingGrowable null
}

@test "status reports backingGrowable null when the node has no single data volume" {
  given_prepared_lvm 120
  rm "${DISK_BY_ID_DIR}"/nvme-Amazon_Elastic_Block_Store_vol0123456789abcdef0*
  render drbd-status
  run -0 --separate-stderr "${SCRIPT}"
  assert_result dataVolumeId null
  assert_result backingGrowable null
}
