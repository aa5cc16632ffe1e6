# Sourced by every stub command: records the call in $CALLS (one line: name and
# arguments), then the stub answers from scripted state files under $STUB_STATE.
# A file fail.<name> makes that command fail with the exit code written in it.
set -euo pipefail
: "${STUB_STATE:?set by test_helper}" "${CALLS:?set by test_helper}"
STUB_NAME="$(basename "$0")"
printf '%s\n' "${STUB_NAME}${*:+ $*}" >>"${CALLS}"

# has FILE: the scripted state file exists.
has() { [[ -e "${STUB_STATE}/$1" ]]; }

# fail_if_scripted: exit as scripted by fail.<this stub's name>.
fail_if_scripted() {
  local f="${STUB_STATE}/fail.${STUB_NAME}"
  if [[ -e "${f}" ]]; then
    echo "${STUB_NAME} stub: scripted failure" >&2
    exit "$(cat "${f}" 2>/dev/null || echo 1)"
  fi
}
