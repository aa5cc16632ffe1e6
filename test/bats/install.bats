#!/usr/bin/env bats
# drbd-install with stubs: PPA, packages, AWS CLI snap, module 9.x check, idempotency.

load test_helper

@test "install adds the LINBIT PPA, installs the packages and the AWS CLI and loads DRBD 9" {
  unstub aws
  echo 9.2.12 >"${STUB_STATE}/modinfo.version"
  touch "${STUB_STATE}/active.multipathd"
  render drbd-install
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed true
  assert_result drbdVersion '"9.2.12"'
  grep -qx 'add-apt-repository -y -n ppa:linbit/linbit-drbd9-stack' "${CALLS}"
  grep -qE "^apt-get .*-o DPkg::Lock::Timeout=600 .*install drbd-dkms drbd-utils thin-provisioning-tools jq linux-headers-$(uname -r)\$" "${CALLS}"
  grep -qx 'snap install aws-cli --classic' "${CALLS}"
  grep -qx 'systemctl restart multipathd' "${CALLS}"
  grep -qx 'modprobe drbd' "${CALLS}"
  [[ "$(result installed)" == *'"drbd-dkms"'*'"aws-cli"'* ]]
}

@test "install does nothing on its second run" {
  unstub aws
  echo 9.2.12 >"${STUB_STATE}/modinfo.version"
  render drbd-install
  run -0 --separate-stderr "${SCRIPT}"
  ln -s "${STUBS_DIR}/aws" "${BIN}/aws"
  : >"${CALLS}"
  run -0 --separate-stderr "${SCRIPT}"
  assert_result changed false
  assert_result installed '[]'
  assert_result drbdVersion '"9.2.12"'
  assert_no_mutating_calls
}

@test "install leaves multipathd alone when it is not running" {
  echo 9.2.12 >"${STUB_STATE}/modinfo.version"
  render drbd-install
  run -0 --separate-stderr "${SCRIPT}"
  run ! grep 'systemctl restart' "${CALLS}"
}

@test "install refuses to load the in-kernel DRBD 8.4 module" {
  echo 8.4.11 >"${STUB_STATE}/modinfo.version"
  render drbd-install
  run -4 --separate-stderr "${SCRIPT}"
  assert_result ok false
  assert_result drbdVersion '"8.4.11"'
  run ! grep '^modprobe' "${CALLS}"
}

@test "install fails when a DRBD 8.4 module is already loaded" {
  echo 9.2.12 >"${STUB_STATE}/modinfo.version"
  mkdir -p "${SYS_MODULE_DIR}/drbd"
  echo 8.4.11 >"${SYS_MODULE_DIR}/drbd/version"
  render drbd-install
  run -4 --separate-stderr "${SCRIPT}"
  [[ "$(result error)" == *"not 9.x"* ]]
}

@test "install reports a failed apt-get with exit code 4" {
  echo 100 >"${STUB_STATE}/fail.apt-get"
  echo 9.2.12 >"${STUB_STATE}/modinfo.version"
  render drbd-install
  run -4 --separate-stderr "${SCRIPT}"
  assert_result ok false
  [[ "${stderr}" == *"apt-get stub: scripted failure"* ]]
  grep -q "apt-get stub: scripted failure" "${DRBD_STATE_DIR}/install.log"
  run ! grep '^modprobe' "${CALLS}"
}
