#!/usr/bin/env bats
# test/tools/ssm-doc.mjs: the renderer the tests and the Java rehearsal share.

load test_helper

@test "ssm-doc render substitutes given values and defaults in both placeholder spellings" {
  cat >"${BATS_TEST_TMPDIR}/d.yaml" <<'YAML'
schemaVersion: "2.2"
description: t
parameters:
  A: {type: String, description: a, default: x1, allowedPattern: '^[a-z0-9]+$'}
  B: {type: String, description: b, allowedPattern: '^[A-Za-z0-9+/]+={0,2}$'}
mainSteps:
  - action: aws:runShellScript
    name: s
    inputs:
      runCommand:
        - |
          echo "{{ A }}" "{{B}}" "{{  A  }}"
YAML
  run -0 node "${SSM_DOC_TOOL}" render "${BATS_TEST_TMPDIR}/d.yaml" "${BATS_TEST_TMPDIR}/o.sh" B=YWI=
  [[ "$(cat "${BATS_TEST_TMPDIR}/o.sh")" == 'echo "x1" "YWI=" "x1"' ]]
  [[ -x "${BATS_TEST_TMPDIR}/o.sh" ]]
}

@test "ssm-doc render exits 2 for a value that does not match, an unknown or a missing parameter" {
  run -2 node "${SSM_DOC_TOOL}" render "${DOCS_DIR}/drbd-create-md.yaml" "${BATS_TEST_TMPDIR}/o.sh" 'MaxPeers=7;reboot'
  [[ "${output}" == *"MaxPeers"*"does not match"* ]]
  run -2 node "${SSM_DOC_TOOL}" render "${DOCS_DIR}/drbd-create-md.yaml" "${BATS_TEST_TMPDIR}/o.sh" Nope=1
  [[ "${output}" == *"unknown parameter Nope"* ]]
  run -2 node "${SSM_DOC_TOOL}" render "${DOCS_DIR}/drbd-forget-peer.yaml" "${BATS_TEST_TMPDIR}/o.sh"
  [[ "${output}" == *"PeerNodeId is required"* ]]
  [[ ! -e "${BATS_TEST_TMPDIR}/o.sh" ]]
}

@test "ssm-doc list-params prints the parameters as one JSON line" {
  run -0 node "${SSM_DOC_TOOL}" list-params "${DOCS_DIR}/drbd-create-md.yaml"
  assert_result document '"drbd-create-md"'
  assert_result parameters.0.name '"ResourceName"'
  assert_result parameters.0.default '"r0"'
  assert_result parameters.1.name '"MaxPeers"'
  assert_result parameters.1.default 'undefined'
}

@test "ssm-doc exits 1 on a usage error" {
  run -1 node "${SSM_DOC_TOOL}" render
}
