#!/usr/bin/env bats
# The bin/ commands and the shell helpers of the tests, checked as the document scripts are.

bats_require_minimum_version 1.5.0

REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"

@test "the bin/ commands, their library and the test helpers pass shellcheck" {
  cd "${REPO_ROOT}"
  run shellcheck -x bin/test bin/rehearse bin/cdk-app bin/lib/prerequisites.bash \
    test/bats/prerequisites/offline.bash
  echo "${output}"
  [ "${status}" -eq 0 ]
}

@test "bin/test refuses an unknown argument, before it checks or installs anything" {
  cd "${REPO_ROOT}"
  run --separate-stderr bin/test --no-such-flag
  [ "${status}" -eq 2 ]
  [ "${stderr}" = "Usage: bin/test [--setup-only]   (unknown argument: --no-such-flag)" ]
}
