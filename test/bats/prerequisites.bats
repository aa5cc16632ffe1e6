#!/usr/bin/env bats
# The prerequisite step of the two README commands (`bin/test --setup-only`,
# `bin/rehearse --setup-only`) as a new user's machine runs it: a copy of the project's bin/ and
# npm files, a fresh HOME and TMPDIR, a PATH without the Python tools this machine has, and no
# network but loopback. A package index of stand-in wheels on 127.0.0.1 plays PyPI (HTTPS,
# cacheable answers: standin-index.py).

bats_require_minimum_version 1.5.0

REPO_ROOT="$(cd "${BATS_TEST_DIRNAME}/../.." && pwd)"
HELPERS="${BATS_TEST_DIRNAME}/prerequisites"
PINS="${REPO_ROOT}/bin/lib/python-tools.txt"

setup_file() {
  local dir path="" real_home
  real_home="$(getent passwd "$(id -u)" | cut -d: -f6)"
  local IFS=:
  # The machine's PATH without the directories that hold the pinned Python tools, nor those in
  # the real HOME (a fresh HOME has none: pyenv's shims, cargo's bin).
  for dir in ${PATH}; do
    [[ -e "${dir}/moto_server" || -e "${dir}/cfn-lint" || "${dir}/" == "${real_home}/"* ]] && continue
    path="${path:+${path}:}${dir}"
  done
  export SCRUBBED_PATH="${path}"
  unset IFS
  export INDEX_DIR="${BATS_FILE_TMPDIR}/index"
  python3 "${HELPERS}/standin-index.py" "${PINS}" "${INDEX_DIR}"
}

setup() {
  local tool
  for tool in java mvn node npm python3; do
    PATH="${SCRUBBED_PATH}" command -v "${tool}" >/dev/null \
      || skip "${tool} is only on PATH beside the Python tools"
  done
  if ! "${HELPERS}/offline.bash" -- true 2>/dev/null; then
    skip "no network namespace here (needs root or unprivileged user namespaces)"
  fi
  SANDBOX="${BATS_TEST_TMPDIR}/sandbox"
  PROJECT="${SANDBOX}/project"
  mkdir -p "${SANDBOX}/home" "${SANDBOX}/tmp" "${SANDBOX}/stubs" "${SANDBOX}/stub-state" "${PROJECT}"
  cp -r "${REPO_ROOT}/bin" "${PROJECT}/"
  cp -p "${REPO_ROOT}/package.json" "${REPO_ROOT}/package-lock.json" "${PROJECT}/"
  # npm ci needs the registry, which this test cannot reach: the tree's own packages stand in.
  ln -s "${REPO_ROOT}/node_modules" "${PROJECT}/node_modules"
  # The variables that point pip at the stand-in index instead of PyPI.
  WITH_INDEX=(PIP_INDEX_URL=https://127.0.0.1:8080/simple "PIP_CERT=${INDEX_DIR}/tls/cert.pem")
  MARKER="${SANDBOX}/marker"
  touch "${MARKER}"
  sleep 1
}

# scrubbed [VAR=value...] -- COMMAND...: runs COMMAND offline in the project copy with nothing of
# this shell's environment but the scrubbed PATH (stubs first) and the given variables.
scrubbed() {
  local vars=()
  while [[ "$1" != -- ]]; do
    vars+=("$1")
    shift
  done
  shift
  "${HELPERS}/offline.bash" --index "${INDEX_DIR}" -- env -i -C "${PROJECT}" \
    HOME="${SANDBOX}/home" TMPDIR="${SANDBOX}/tmp" PATH="${SANDBOX}/stubs:${SCRUBBED_PATH}" LANG=C.UTF-8 \
    STUB_STATE="${SANDBOX}/stub-state" "${vars[@]}" "$@"
}

# Every file written since the test began outside the project copy: in the fresh HOME and TMPDIR,
# the real project, and where tools install for a user or for the whole machine.
written_outside_project() {
  local real_home user_site
  real_home="$(getent passwd "$(id -u)" | cut -d: -f6)"
  user_site="$(PATH="${SCRUBBED_PATH}" python3 -c 'import site; print(site.getusersitepackages())')"
  find "${SANDBOX}/home" "${SANDBOX}/tmp" -mindepth 1 -print
  find "${REPO_ROOT}" -path "${REPO_ROOT}/.git" -prune -o -name 'target*' -prune -o -name node_modules -prune \
    -o -newer "${MARKER}" -print
  # Of the real HOME only .local, where pip --user installs: its caches get writes from whatever
  # else runs on the machine meanwhile (jsii, npx), which would make this check flaky.
  find /usr/local /etc /opt "${user_site}" "${real_home}/.local" -newer "${MARKER}" -print 2>/dev/null || true
}

pin_of() {
  awk -v tool="$1" '$1 == tool { print $2 }' "${PINS}"
}

version_of_pin() {
  local pin
  pin="$(pin_of "$1")"
  echo "${pin##*==}"
}

# The project's .tools/bin/TOOL is the stand-in of the pinned version.
assert_installed_standin() {
  run "${PROJECT}/.tools/bin/$1"
  [ "${output}" = "$1 $(version_of_pin "$1") (stand-in)" ]
}

@test "the scrubbed PATH has none of the Python tools, and their pins are exact versions" {
  run ! env PATH="${SCRUBBED_PATH}" bash -c 'command -v cfn-lint || command -v moto_server'
  [[ "$(pin_of cfn-lint)" =~ ^cfn-lint==[0-9.]+$ ]]
  [[ "$(pin_of moto_server)" =~ ^moto\[server\]==[0-9.]+$ ]]
}

@test "bin/test --setup-only installs the pinned tools from the package index into .tools and uses them from then on" {
  run --separate-stderr scrubbed "${WITH_INDEX[@]}" -- bin/test --setup-only
  echo "${stderr}"
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"Installing $(pin_of cfn-lint) $(pin_of moto_server) into .tools/python"* ]]
  assert_installed_standin cfn-lint
  assert_installed_standin moto_server
  # Only the tools go on PATH, not the venv's interpreter.
  [ "$(ls "${PROJECT}/.tools/bin")" = "$(printf 'cfn-lint\nmoto_server')" ]
  run written_outside_project
  [ "${output}" = "" ]

  # From then on, with no index at all: nothing to install, both commands find the tools.
  run --separate-stderr scrubbed -- bin/test --setup-only
  echo "${stderr}"
  [ "${status}" -eq 0 ]
  [[ "${stderr}" != *Installing* ]]
  run --separate-stderr scrubbed -- bin/rehearse --setup-only
  echo "${stderr}"
  [ "${status}" -eq 0 ]
  [[ "${stderr}" != *Installing* ]]
}

@test "bin/rehearse --setup-only installs only moto" {
  run --separate-stderr scrubbed "${WITH_INDEX[@]}" -- bin/rehearse --setup-only
  echo "${stderr}"
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"Installing $(pin_of moto_server) into .tools/python (moto_server not on PATH)"* ]]
  [ "$(ls "${PROJECT}/.tools/bin")" = moto_server ]
}

@test "without a package index both commands stop in seconds, naming each missing tool and the command that installs it" {
  local started="${SECONDS}"
  run --separate-stderr scrubbed -- bin/test --setup-only
  echo "${stderr}"
  [ "${status}" -eq 1 ]
  (( SECONDS - started < 30 ))
  [[ "${stderr}" == *"pip could not install them: ERROR:"* ]]
  [[ "${stderr}" == *"Missing cfn-lint: install it with: pipx install '$(pin_of cfn-lint)'"* ]]
  [[ "${stderr}" == *"Missing moto_server: install it with: pipx install '$(pin_of moto_server)'"* ]]
  [[ "${stderr}" == *"run bin/test again"* ]]
  [[ ! -e "${PROJECT}/.tools/bin" ]]

  run --separate-stderr scrubbed -- bin/rehearse --setup-only
  echo "${stderr}"
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"Missing moto_server: install it with: pipx install '$(pin_of moto_server)'"* ]]
  [[ "${stderr}" != *"Missing cfn-lint"* ]]
  [[ "${stderr}" == *"run bin/rehearse again"* ]]
  run written_outside_project
  [ "${output}" = "" ]
}

@test "a toolchain too old or missing is reported with the version found and needed, before anything is installed" {
  cat >"${SANDBOX}/stubs/java" <<'EOF'
#!/bin/bash
echo "    java.specification.version = 11" >&2
EOF
  cat >"${SANDBOX}/stubs/node" <<'EOF'
#!/bin/bash
echo v18.19.0
EOF
  chmod +x "${SANDBOX}/stubs/java" "${SANDBOX}/stubs/node"
  local tool
  for tool in bin/test bin/rehearse; do
    run --separate-stderr scrubbed "${WITH_INDEX[@]}" -- "${tool}" --setup-only
    echo "${stderr}"
    [ "${status}" -eq 1 ]
    [[ "${stderr}" == *"Found java 11 at ${SANDBOX}/stubs/java, need 17 or newer: install a JDK 17"* ]]
    [[ "${stderr}" == *"Found node 18.19.0 at ${SANDBOX}/stubs/node, need 20 or newer"* ]]
    [[ "${stderr}" != *Installing* ]]
  done
  [[ ! -e "${PROJECT}/.tools" ]]
}

@test "python3 without venv: Debian's python3-venv comes through apt, or its install command is named" {
  local real_python
  real_python="$(PATH="${SCRUBBED_PATH}" command -v python3)"
  # Debian's python3 without python3-venv until the apt-get stub "installs" it.
  cat >"${SANDBOX}/stubs/python3" <<EOF
#!/bin/bash
if [[ "\$1 \$2" == "-m venv" && ! -e "\${STUB_STATE}/venv-installed" ]]; then
  echo "The virtual environment was not created successfully because ensurepip is not available." >&2
  exit 1
fi
if [[ "\$*" == *sys.base_prefix* ]]; then
  echo /usr
  exit 0
fi
exec "${real_python}" "\$@"
EOF
  cat >"${SANDBOX}/stubs/apt-get" <<'EOF'
#!/bin/bash
echo "apt-get $*" >>"${STUB_STATE}/apt-calls"
[[ -e "${STUB_STATE}/apt-fails" ]] && exit 100
[[ "$1" == install ]] && touch "${STUB_STATE}/venv-installed"
exit 0
EOF
  chmod +x "${SANDBOX}/stubs/python3" "${SANDBOX}/stubs/apt-get"

  touch "${SANDBOX}/stub-state/apt-fails"
  run --separate-stderr scrubbed "${WITH_INDEX[@]}" -- bin/test --setup-only
  echo "${stderr}"
  [ "${status}" -eq 1 ]
  [[ "${stderr}" == *"Could not install Debian packages python3-venv (apt-get failed, above): run: sudo apt-get install python3-venv"* ]]
  [[ "${stderr}" == *"cannot make a virtual environment: The virtual environment was not created successfully"* ]]
  [[ "${stderr}" == *"Missing cfn-lint: install it with: pipx install"* ]]
  [[ ! -e "${PROJECT}/.tools/python" ]]

  rm "${SANDBOX}/stub-state/apt-fails"
  run --separate-stderr scrubbed "${WITH_INDEX[@]}" -- bin/test --setup-only
  echo "${stderr}"
  [ "${status}" -eq 0 ]
  grep -qx 'apt-get install -y -qq python3-venv' "${SANDBOX}/stub-state/apt-calls"
  assert_installed_standin moto_server
}

@test "tools whose venv no longer runs (the checkout moved) are installed again" {
  run scrubbed "${WITH_INDEX[@]}" -- bin/rehearse --setup-only
  [ "${status}" -eq 0 ]
  mv "${PROJECT}" "${PROJECT}-moved"
  PROJECT="${PROJECT}-moved"
  run --separate-stderr scrubbed "${WITH_INDEX[@]}" -- bin/rehearse --setup-only
  echo "${stderr}"
  [ "${status}" -eq 0 ]
  [[ "${stderr}" == *"Reinstalling the Python tools of .tools/python: moto_server no longer runs"* ]]
  assert_installed_standin moto_server
}
