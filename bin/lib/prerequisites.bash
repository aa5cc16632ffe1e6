#!/bin/bash
# Shared by bin/test and the other bin/ commands: find or install what the build and tests need.
# Debian packages and npm packages are installed when missing; Python tools (cfn-lint, moto) are
# only checked, because PyPI may be out of reach: the message says how to get them.

readonly APT_PACKAGES=(drbd-utils shellcheck bats jq e2fsprogs util-linux)

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
# Installs the Debian packages in APT_PACKAGES that are not installed yet.
# Uses sudo when not root. Fails with a clear message when neither is possible.
#######################################
prereq_apt_packages() {
  local missing=()
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q 'ok installed'; then
      missing+=("${pkg}")
    fi
  done
  (( ${#missing[@]} == 0 )) && return 0
  local sudo=()
  if (( EUID != 0 )); then
    if ! command -v sudo >/dev/null 2>&1; then
      prereq_log "Missing Debian packages ${missing[*]} and not root: run 'apt-get install ${missing[*]}' as root"
      return 1
    fi
    sudo=(sudo)
  fi
  prereq_log "Installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

#######################################
# Installs the npm packages pinned in package-lock.json when node_modules is absent or stale.
#######################################
prereq_node_modules() {
  prereq_require node "install Node.js >= 20 (https://nodejs.org or apt-get install nodejs npm)" || return 1
  prereq_require npm "install npm (apt-get install npm)" || return 1
  if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    prereq_log "Installing npm packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

#######################################
# Checks the JDK and Maven the build uses.
#######################################
prereq_java() {
  prereq_require java "install JDK 17 or newer (apt-get install openjdk-17-jdk-headless)" || return 1
  prereq_require mvn "install Apache Maven 3.8+ (apt-get install maven)" || return 1
}

#######################################
# Checks the Python tools the tests use; they cannot be installed here without PyPI.
#######################################
prereq_python_tools() {
  prereq_require cfn-lint "pipx install cfn-lint (or: pip install --user cfn-lint)" || return 1
  prereq_require moto_server "pipx install 'moto[server]' (or: pip install --user 'moto[server]')" || return 1
}
