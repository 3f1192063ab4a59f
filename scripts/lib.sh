# shellcheck shell=bash
# Helpers shared by scripts/demo and scripts/test. Source it; do not run it.
#
# Sets GUICHET_ROOT (the repository root, computed from this file's path so the scripts work from
# any cwd) and BUILD_DIR (default "$GUICHET_ROOT/build"; override through the environment to build
# elsewhere while developing). Processes started with start_process are remembered by pid and
# stopped by stop_processes, and only those: a developer's other servers are never touched.

GUICHET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$GUICHET_ROOT/build}"

# Everything the project needs from Debian 12: toolchain, libraries, and the servers the demo and
# the integration tests run (aiosmtpd for mail, dovecot for POP3, nginx, wrk for the benchmarks),
# and the browser and runtime of the dashboard's end-to-end tests (chromium, nodejs).
GUICHET_PACKAGES=(
  cmake ninja-build g++ libpoco-dev libboost-dev nlohmann-json3-dev libgtest-dev libssl-dev
  python3-aiosmtpd dovecot-pop3d wrk nginx-light libhpdf-dev openssl curl
  chromium nodejs
)
# The dashboard's e2e tests (tests/e2e) need npm too. Debian's nodejs ships without it; a NodeSource
# nodejs has it built in and conflicts with Debian's npm package, so ask for npm only when missing.
command -v npm >/dev/null 2>&1 || GUICHET_PACKAGES+=(npm)

# Debian's interpreter, not whatever python3 is first on PATH (a pyenv shim has no aiosmtpd).
# shellcheck disable=SC2034  # used by the scripts that source this file
SYSTEM_PYTHON=/usr/bin/python3

log() { printf '[guichet] %s\n' "$*" >&2; }
warn() { printf '[guichet] warning: %s\n' "$*" >&2; }
die() {
  printf '[guichet] error: %s\n' "$*" >&2
  exit 1
}

package_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# Installs whichever of GUICHET_PACKAGES are missing; does nothing (and needs no network) when
# all are there, so running a script twice costs no apt round-trip.
ensure_packages() {
  local missing=() pkg
  for pkg in "${GUICHET_PACKAGES[@]}"; do
    package_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "installing missing packages: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${missing[*]} first"
    sudo=(sudo -n)
  fi
  # No stdin in CI: a config-file question from dpkg must never wait for an answer, and a fresh
  # machine's own package jobs may hold the dpkg lock for a while, so wait for it.
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
  for pkg in "${missing[@]}"; do
    package_installed "$pkg" || die "package $pkg did not install"
  done
}

# Configures BUILD_DIR with Ninja (once) and builds everything with 2 jobs: CI and developer
# machines have 2 cores, and more jobs only trade speed for memory pressure.
build() {
  local generator=""
  if [[ -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    generator="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$BUILD_DIR/CMakeCache.txt")"
  fi
  if [[ -n "$generator" && "$generator" != "Ninja" ]]; then
    # A build dir left by another generator cannot be reused: start it afresh rather than fail.
    log "reconfiguring $BUILD_DIR with Ninja (it was made with $generator)"
    cmake -S "$GUICHET_ROOT" -B "$BUILD_DIR" -G Ninja --fresh -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  elif [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    # First run, or a configure that failed half-way: either way there is nothing to build from.
    log "configuring $BUILD_DIR"
    cmake -S "$GUICHET_ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  fi
  log "building (2 jobs)"
  # To stderr, with the other progress messages: stdout is kept for what the script reports.
  cmake --build "$BUILD_DIR" --parallel 2 >&2
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for_port PORT TIMEOUT_S [PID]: waits until the port accepts connections; gives up early if
# PID (the process expected to open it) has exited.
wait_for_port() {
  local port="$1" timeout="$2" pid="${3:-}"
  local deadline=$((SECONDS + timeout))
  until port_open "$port"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# wait_for_http URL TIMEOUT_S [PID]: waits until URL answers 2xx.
wait_for_http() {
  local url="$1" timeout="$2" pid="${3:-}"
  local deadline=$((SECONDS + timeout))
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# Names and pids of the processes this script started, in start order.
STARTED_NAMES=()
STARTED_PIDS=()

# start_process NAME LOGFILE COMMAND [ARGS...]: runs COMMAND in the background with stdin closed
# and stdout+stderr appended to LOGFILE; its pid is remembered and left in LAST_PID. (Not printed:
# a $(start_process ...) subshell would own the child and keep the pid from this shell.)
LAST_PID=""
start_process() {
  local name="$1" logfile="$2"
  shift 2
  "$@" </dev/null >>"$logfile" 2>&1 &
  LAST_PID="$!"
  STARTED_NAMES+=("$name")
  STARTED_PIDS+=("$LAST_PID")
}

# Stops what start_process started, newest first (the hub before the servers it talks to):
# SIGTERM, then SIGKILL for whatever is still there after a 5 s grace.
stop_processes() {
  local i pid deadline
  for ((i = ${#STARTED_PIDS[@]} - 1; i >= 0; i--)); do
    pid="${STARTED_PIDS[i]}"
    kill -0 "$pid" 2>/dev/null || continue
    log "stopping ${STARTED_NAMES[i]} (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 5))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      warn "${STARTED_NAMES[i]} ignored SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  STARTED_NAMES=()
  STARTED_PIDS=()
}
