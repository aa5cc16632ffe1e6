#!/usr/bin/env bats
# rehearsal/runtime/ssm-doc.mjs: the renderer the tests and the Java rehearsal share.

load test_helper

# test_doc FILE: write a document with parameters A (default x1) and B (required) whose
# script is stdin.
test_doc() {
  mkdir -p "$(dirname "$1")"
  {
    cat <<'YAML'
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
YAML
    sed 's/^/          /'
  } >"$1"
}

@test "ssm-doc render substitutes given values and defaults in both placeholder spellings" {
  test_doc "${BATS_TEST_TMPDIR}/d.yaml" <<<'echo "{{ A }}" "{{B}}" "{{  A  }}"'
  run -0 node "${SSM_DOC_TOOL}" render "${BATS_TEST_TMPDIR}/d.yaml" "${BATS_TEST_TMPDIR}/o.sh" B=YWI=
  [[ "$(cat "${BATS_TEST_TMPDIR}/o.sh")" == 'echo "x1" "YWI=" "x1"' ]]
  [[ -x "${BATS_TEST_TMPDIR}/o.sh" ]]
}

@test "ssm-doc render replaces the # @prelude line with lib/prelude.bash next to the document" {
  test_doc "${BATS_TEST_TMPDIR}/docs/d.yaml" <<<$'before\n# @prelude\nafter'
  mkdir -p "${BATS_TEST_TMPDIR}/docs/lib"
  printf 'p1 "{{ A }}"\np2\n' >"${BATS_TEST_TMPDIR}/docs/lib/prelude.bash"
  run -0 node "${SSM_DOC_TOOL}" render "${BATS_TEST_TMPDIR}/docs/d.yaml" "${BATS_TEST_TMPDIR}/o.sh" B=YWI=
  [[ "$(cat "${BATS_TEST_TMPDIR}/o.sh")" == $'before\np1 "x1"\np2\nafter' ]]
  sed -i 's/^          after$/          # @prelude/' "${BATS_TEST_TMPDIR}/docs/d.yaml"
  run -1 node "${SSM_DOC_TOOL}" render "${BATS_TEST_TMPDIR}/docs/d.yaml" "${BATS_TEST_TMPDIR}/o2.sh" B=YWI=
  [[ "${output}" == *'more than one "# @prelude" line'* ]]
  rm "${BATS_TEST_TMPDIR}/docs/lib/prelude.bash"
  sed -i '$d' "${BATS_TEST_TMPDIR}/docs/d.yaml"
  run -1 node "${SSM_DOC_TOOL}" render "${BATS_TEST_TMPDIR}/docs/d.yaml" "${BATS_TEST_TMPDIR}/o2.sh" B=YWI=
  [[ "${output}" == *prelude.bash* ]]
  [[ ! -e "${BATS_TEST_TMPDIR}/o2.sh" ]]
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
