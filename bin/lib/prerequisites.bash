#!/bin/bash
# Shared by the bin/ commands: check what cannot be installed for the user (the toolchain), then
# install what can: Debian packages (apt, as root or through sudo), the pinned npm packages, and
# the pinned Python tools of bin/lib/python-tools.txt into the project's own .tools/python.
# Whatever cannot be done ends in one message per tool: what is missing and the one command
# that brings it. Nothing is written outside the project directory except by apt and npm's cache.

PREREQ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly PREREQ_ROOT
readonly APT_PACKAGES=(drbd-utils shellcheck bats jq e2fsprogs util-linux iproute2 openssl)
readonly PYTHON_TOOLS_FILE="${PREREQ_ROOT}/bin/lib/python-tools.txt"
readonly TOOLS_VENV="${PREREQ_ROOT}/.tools/python"
readonly TOOLS_BIN="${PREREQ_ROOT}/.tools/bin"
readonly PIP_LOG="${PREREQ_ROOT}/.tools/pip.log"
# The oldest versions that work. Python: moto 5.2 and cfn-lint 1.51 declare Requires-Python >=3.10.
readonly MIN_JAVA=17
readonly MIN_MAVEN=3.8
readonly MIN_NODE=20
readonly MIN_PYTHON=3.10

#######################################
# Prints a message to stderr with a timestamp.
# Arguments:
#   Message words.
#######################################
prereq_log() {
  echo "[$(date -u +%H:%M:%S)] $*" >&2
}

#######################################
# Fails with a message naming the missing tool and how to get it.
# Arguments:
#   Tool name, install hint.
#######################################
prereq_require() {
  local tool="$1"
  local hint="$2"
  if ! command -v "${tool}" >/dev/null 2>&1; then
    prereq_log "Missing ${tool}: ${hint}"
    return 1
  fi
}

#######################################
# Tells whether a dotted version is at least another.
# Arguments:
#   Version found, version needed.
#######################################
prereq_at_least() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" == "$2" ]]
}

#######################################
# Prints the version of a toolchain command, or nothing when it cannot tell.
# Arguments:
#   java, mvn, node or python3. For mvn, two lines from its one banner: Maven's version, then the
#   Java version Maven runs on (JAVA_HOME may differ from the java on PATH).
#######################################
prereq_version_of() {
  case "$1" in
    java)
      java -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p'
      ;;
    # Maven colours its banner even in batch mode.
    mvn)
      mvn -B -v 2>/dev/null | sed -n 's/\x1b\[[0-9;]*m//g
        s/^Apache Maven \([0-9][0-9.]*\).*/\1/p
        s/^Java version: \(1\.\)\{0,1\}\([0-9]*\).*/\2/p'
      ;;
    node) node --version 2>/dev/null | sed -n 's/^v\([0-9][0-9.]*\).*/\1/p' ;;
    python3) python3 -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null ;;
  esac
}

#######################################
# Checks one toolchain command: present and new enough.
# Arguments:
#   Command (java, mvn, node, python3).
# Returns:
#   0 when usable, 1 after a message with the version found, the version needed and how to get it.
#######################################
prereq_check_tool() {
  local tool="$1"
  local need hint found maven_java versions
  case "${tool}" in
    java) need="${MIN_JAVA}" hint="install a JDK ${MIN_JAVA} or newer (Debian: apt-get install openjdk-17-jdk-headless)" ;;
    mvn) need="${MIN_MAVEN}" hint="install Apache Maven ${MIN_MAVEN} or newer (Debian: apt-get install maven)" ;;
    node) need="${MIN_NODE}" hint="install Node.js ${MIN_NODE} or newer with npm from https://nodejs.org (Debian 12's nodejs is 18)" ;;
    python3) need="${MIN_PYTHON}" hint="install Python ${MIN_PYTHON} or newer with venv (Debian: apt-get install python3 python3-venv)" ;;
  esac
  if ! command -v "${tool}" >/dev/null 2>&1; then
    prereq_log "Missing ${tool} (need ${need} or newer): ${hint}"
    return 1
  fi
  mapfile -t versions < <(prereq_version_of "${tool}")
  found="${versions[0]:-}"
  maven_java="${versions[1]:-}"
  if [[ -z "${found}" ]] || ! prereq_at_least "${found}" "${need}"; then
    prereq_log "Found ${tool} ${found:-of unknown version} at $(command -v "${tool}"), need ${need} or newer: ${hint}"
    return 1
  fi
  if [[ "${tool}" == mvn ]]; then
    if [[ -z "${maven_java}" ]] || ! prereq_at_least "${maven_java}" "${MIN_JAVA}"; then
      prereq_log "Maven runs on Java ${maven_java:-of unknown version} (JAVA_HOME=${JAVA_HOME:-unset}), need ${MIN_JAVA} or newer: point JAVA_HOME at a JDK ${MIN_JAVA}+"
      return 1
    fi
  fi
  if [[ "${tool}" == node ]] && ! command -v npm >/dev/null 2>&1; then
    prereq_log "Missing npm beside node $(prereq_version_of node): ${hint}"
    return 1
  fi
}

#######################################
# Checks the toolchain the user has to bring (they cannot be installed from here), before any
# build, and reports every problem at once.
# Arguments:
#   Commands to check (java, mvn, node, python3).
#######################################
prereq_toolchain() {
  local ok=0
  local tool
  for tool in "$@"; do
    prereq_check_tool "${tool}" || ok=1
  done
  return "${ok}"
}

#######################################
# Installs Debian packages with apt-get, as root or through sudo.
# Arguments:
#   Packages.
# Returns:
#   0 when installed, 1 after a message with the command that installs them.
#######################################
prereq_apt_install() {
  local sudo=()
  if (( EUID != 0 )); then
    if ! command -v sudo >/dev/null 2>&1; then
      prereq_log "Missing Debian packages $*: run as root: apt-get install $*"
      return 1
    fi
    sudo=(sudo)
  fi
  prereq_log "Installing Debian packages: $*"
  if ! "${sudo[@]}" apt-get update -qq \
    || ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null; then
    prereq_log "Could not install Debian packages $* (apt-get failed, above): run: sudo apt-get install $*"
    return 1
  fi
}

#######################################
# Installs the Debian packages in APT_PACKAGES that are not installed yet.
#######################################
prereq_apt_packages() {
  local missing=()
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q 'ok installed'; then
      missing+=("${pkg}")
    fi
  done
  (( ${#missing[@]} == 0 )) || prereq_apt_install "${missing[@]}"
}

#######################################
# Installs the npm packages pinned in package-lock.json when node_modules is absent or stale.
#######################################
prereq_node_modules() {
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    prereq_log "Installing npm packages (package-lock.json)"
    if ! npm ci --no-audit --no-fund --loglevel=error >&2; then
      prereq_log "npm ci failed (above): run: npm ci"
      return 1
    fi
  fi
}

#######################################
# Prints the pinned pip requirement of a Python tool.
# Arguments:
#   Command name as listed in PYTHON_TOOLS_FILE.
#######################################
prereq_pinned_requirement() {
  local requirement
  requirement="$(awk -v tool="$1" '$1 == tool { print $2 }' "${PYTHON_TOOLS_FILE}")"
  if [[ -z "${requirement}" ]]; then
    prereq_log "No pin for ${1} in ${PYTHON_TOOLS_FILE}"
    return 1
  fi
  echo "${requirement}"
}

#######################################
# Removes the project's Python tools when their scripts no longer run (the checkout moved, or
# the Python that made the venv is gone), so that they are installed again.
#######################################
prereq_drop_stale_tools() {
  local link interpreter
  for link in "${TOOLS_BIN}"/*; do
    [[ -e "${link}" || -L "${link}" ]] || continue
    interpreter="$(sed -n '1s/^#!//p' "${link}" 2>/dev/null)"
    if [[ ! -x "${interpreter}" ]]; then
      prereq_log "Reinstalling the Python tools of .tools/python: ${link##*/} no longer runs"
      rm -rf "${TOOLS_VENV}" "${TOOLS_BIN}"
      return 0
    fi
  done
}

#######################################
# Makes the project's virtual environment, bringing Debian's python3-venv when python3 is
# Debian's own and lacks it.
#######################################
prereq_venv() {
  [[ -x "${TOOLS_VENV}/bin/python" ]] && return 0
  mkdir -p "${PREREQ_ROOT}/.tools"
  if python3 -m venv --clear "${TOOLS_VENV}" >"${PIP_LOG}" 2>&1; then
    return 0
  fi
  if [[ "$(python3 -c 'import sys; print(sys.base_prefix)')" == /usr ]] && command -v apt-get >/dev/null 2>&1 \
    && prereq_apt_install python3-venv && python3 -m venv --clear "${TOOLS_VENV}" >"${PIP_LOG}" 2>&1; then
    return 0
  fi
  rm -rf "${TOOLS_VENV}"
  prereq_log "python3 ($(command -v python3)) cannot make a virtual environment: $(head -n 1 "${PIP_LOG}")"
  return 1
}

#######################################
# Makes sure the given Python tools run: from PATH, else from .tools/python (installed there at
# their pinned versions, pip honouring PIP_INDEX_URL and the user's pip configuration).
# Globals:
#   PATH (gets .tools/bin first)
# Arguments:
#   Commands listed in PYTHON_TOOLS_FILE.
# Returns:
#   0 when all run, 1 after one message per missing tool with the command that installs it.
#######################################
prereq_python_tools() {
  prereq_drop_stale_tools
  export PATH="${TOOLS_BIN}:${PATH}"
  local missing=()
  local requirements=()
  local tool requirement
  for tool in "$@"; do
    command -v "${tool}" >/dev/null 2>&1 && continue
    requirement="$(prereq_pinned_requirement "${tool}")" || return 1
    missing+=("${tool}")
    requirements+=("${requirement}")
  done
  (( ${#missing[@]} == 0 )) && return 0

  prereq_log "Installing ${requirements[*]} into .tools/python (${missing[*]} not on PATH)"
  # The defaults keep a machine without PyPI from waiting: pip's own are 5 retries of 15 s each.
  if prereq_venv && PIP_RETRIES="${PIP_RETRIES:-1}" PIP_TIMEOUT="${PIP_TIMEOUT:-10}" \
    "${TOOLS_VENV}/bin/python" -m pip install --disable-pip-version-check --no-cache-dir --no-input \
    "${requirements[@]}" >"${PIP_LOG}" 2>&1; then
    mkdir -p "${TOOLS_BIN}"
    # Only the tools go on PATH, not the venv's python3 and pip.
    for tool in "${missing[@]}"; do
      ln -sfn "../python/bin/${tool}" "${TOOLS_BIN}/${tool}"
    done
    prereq_log "Installed ${missing[*]} in .tools/bin"
    return 0
  fi

  [[ -x "${TOOLS_VENV}/bin/python" ]] \
    && prereq_log "pip could not install them: $(grep -m 1 '^ERROR' "${PIP_LOG}" || tail -n 1 "${PIP_LOG}") (all of it: .tools/pip.log)"
  local i
  for i in "${!missing[@]}"; do
    prereq_log "Missing ${missing[i]}: install it with: pipx install '${requirements[i]}'"
  done
  prereq_log "(or set PIP_INDEX_URL to a package index you can reach, and run bin/${0##*/} again)"
  return 1
}
