#!/usr/bin/env bats
# drbd-create-md against the real drbdadm/drbdmeta/blkid on loop devices: the metadata
# detection must say present, absent or foreign from what is really on the device.
# Needs root (losetup); CI runs as root.

load test_helper

setup() {
  common_setup
  if (( EUID != 0 )); then
    echo "create-md-real-drbdmeta.bats needs root for losetup (CI runs as root), uid is ${EUID}" >&2
    return 1
  fi
  truncate -s 64M "${BATS_TEST_TMPDIR}/disk.img"
  LOOP="$(/usr/sbin/losetup -f --show "${BATS_TEST_TMPDIR}/disk.img")"
  cat >"${BATS_TEST_TMPDIR}/drbd.conf" <<CONF
resource r0 {
  device /dev/drbd0;
  disk ${LOOP};
  meta-disk internal;
  on nodea { address 10.0.0.1:7789; node-id 0; }
  on nodeb { address 10.0.0.2:7789; node-id 1; }
  on nodec { address 10.0.0.3:7789; node-id 2; }
  connection-mesh { hosts nodea nodeb nodec; }
}
CONF
  echo "${BATS_TEST_TMPDIR}/drbd.conf" >"${STUB_STATE}/drbdadm.config"
  unstub blkid
  export PATH="${PATH}:/usr/sbin"
}

teardown() {
  if [[ -n "${LOOP:-}" ]]; then /usr/sbin/losetup -d "${LOOP}"; fi
}

@test "real drbdmeta: detection says absent on a blank loop device and create-md writes v09 metadata there" {
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result found '"absent"'
  assert_result changed true
  run -0 /usr/sbin/drbdmeta 0 v09 "${LOOP}" internal dump-md
  [[ "${output}" == *"max-peers 5;"* ]]

  run -0 --separate-stderr "${SCRIPT}"
  assert_result found '"present"'
  assert_result changed false
}

@test "real drbdmeta: detection says present after drbdmeta create-md and the metadata stays as it was" {
  /usr/sbin/drbdmeta --force 0 v09 "${LOOP}" internal create-md 3 </dev/null
  render drbd-create-md MaxPeers=5
  run -0 --separate-stderr "${SCRIPT}"
  assert_result found '"present"'
  assert_result changed false
  run ! grep '^drbdadm create-md' "${CALLS}"
  run -0 /usr/sbin/drbdmeta 0 v09 "${LOOP}" internal dump-md
  [[ "${output}" == *"max-peers 3;"* ]]
}

@test "real drbdmeta: detection says foreign on an ext4 loop device and create-md writes nothing" {
  /usr/sbin/mkfs.ext4 -q -F "${LOOP}" 32M
  render drbd-create-md MaxPeers=5
  run -3 --separate-stderr "${SCRIPT}"
  assert_result found '"foreign"'
  [[ "$(result error)" == *"TYPE=ext4"* ]]
  run ! grep '^drbdadm create-md' "${CALLS}"
  run -0 /usr/sbin/blkid -p -o value -s TYPE "${LOOP}"
  [[ "${output}" == ext4 ]]
  run -1 /usr/sbin/drbdmeta 0 v09 "${LOOP}" internal dump-md
}
