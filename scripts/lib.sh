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
# the browser and runtime of the dashboard's end-to-end tests (chromium, nodejs), and the server the
# PostgreSQL store is tested against (postgresql).
GUICHET_PACKAGES=(
  cmake ninja-build g++ libpoco-dev libboost-dev nlohmann-json3-dev libgtest-dev libssl-dev
  python3-aiosmtpd dovecot-core dovecot-pop3d wrk nginx-light libhpdf-dev openssl curl
  chromium nodejs postgresql
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

# The user that owns the Maildirs, which scripts/mailserver writes and dovecot reads: dovecot will
# not touch mail as root, so as root it is Debian's "mail" account (scripts/pop3server explains
# the set-up), and otherwise whoever runs the scripts.
mail_owner() {
  if ((EUID == 0)); then printf 'mail\n'; else id -un; fi
}

# The mailboxes POP3 serves: the hub's (config/guichet.json "mail.mailbox") and every e-mail
# agency's (the "settings.to" of each department instance that has one: the e-mail connectors).
mail_accounts() {
  "$SYSTEM_PYTHON" - "$GUICHET_ROOT/config" <<'PY'
import json, pathlib, sys
config = pathlib.Path(sys.argv[1])
print(json.loads((config / "guichet.json").read_text())["mail"]["mailbox"])
for department in sorted((config / "departments").glob("*.json")):
    for instance in json.loads(department.read_text())["instances"]:
        if "to" in instance.get("settings", {}):
            print(instance["settings"]["to"])
PY
}

# write_email_agency_accounts DATA_DIR FILE: the accounts file of `guichet-sim email_agencies`
# (address, POP3 password, kind, reference prefix) for every e-mail agency of the departments,
# mode 0600. The kind follows the plugin (a CIDFF is told by its instance name, since it is
# served by the generic e-mail connector). Run after start_pop3, which creates the passwords.
write_email_agency_accounts() {
  "$SYSTEM_PYTHON" - "$GUICHET_ROOT/config" "$1/secrets.json" "$2" <<'PY'
import json, os, pathlib, sys
config, secrets_file, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
secrets = json.loads(secrets_file.read_text())
kinds = {"housing": "siao", "childcare": "childcare"}
prefixes = {"siao": "SIAO", "childcare": "PE", "association": "AV", "cidff": "CIDFF"}
accounts = []
for department in sorted((config / "departments").glob("*.json")):
    data = json.loads(department.read_text())
    for instance in data["instances"]:
        if "to" in instance.get("settings", {}):
            kind = "cidff" if "cidff" in instance["instance"] else kinds.get(instance["plugin"], "association")
            prefix = prefixes[kind]
            address = instance["settings"]["to"]
            accounts.append({"address": address, "password": secrets["pop3." + address.lower()],
                             "kind": kind, "prefix": f"{prefix}-{data['department']}"})
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({"accounts": accounts}, f, indent=2)
PY
}

# start_pop3 DATA_DIR PORT: starts dovecot (scripts/pop3server) on 127.0.0.1:PORT over
# DATA_DIR/mail, for the mailboxes of mail_accounts, logging to DATA_DIR/logs/pop3.log. Missing
# passwords are generated into DATA_DIR/secrets.json ("pop3.<address>").
start_pop3() {
  local data_dir="$1" port="$2" account args=()
  while IFS= read -r account; do
    args+=(--account "$account")
  done < <(mail_accounts)
  start_process pop3 "$data_dir/logs/pop3.log" \
    "$SYSTEM_PYTHON" "$GUICHET_ROOT/scripts/pop3server" --data-dir "$data_dir" --port "$port" "${args[@]}"
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

# A private PostgreSQL cluster on loopback for the tests of the PostgreSQL store: its own data
# dir, port and socket dir, trust authentication for one role, gone when stopped. PostgreSQL
# refuses to run as root, so as root the cluster belongs to the `postgres` system user (created by
# the package) and runs as it. Sets TEST_PG_DIR, TEST_PG_PORT and TEST_PG_CONNECTION (a libpq
# connection string for role and database "guichet").
TEST_PG_DIR=""
TEST_PG_PORT=""
TEST_PG_CONNECTION=""

postgres_bin_dir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/pg_ctl" ]] || return 1
  printf '%s\n' "$dir"
}

# Runs a command as the cluster's owner.
as_postgres_owner() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# A TCP port nobody listens on, from the ephemeral-free range above the demo's ports.
pick_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    port_open "$port" || {
      printf '%s\n' "$port"
      return 0
    }
  done
  return 1
}

# start_test_postgres [durable]: with "durable", the cluster fsyncs its commits as a production one
# does (the benchmarks); without, it does not (the tests).
start_test_postgres() {
  local durability="-c fsync=off"
  [[ "${1:-}" == durable ]] && durability="-c fsync=on -c synchronous_commit=on"
  ensure_packages
  local bin
  bin="$(postgres_bin_dir)" || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  TEST_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/guichet-pg.XXXXXX")"
  chmod 755 "$TEST_PG_DIR"
  if ((EUID == 0)); then
    chown postgres: "$TEST_PG_DIR"
  fi
  TEST_PG_PORT="$(pick_free_port)" || die "no free port for the test PostgreSQL"
  log "starting a test PostgreSQL on 127.0.0.1:$TEST_PG_PORT ($TEST_PG_DIR)"
  as_postgres_owner "$bin/initdb" -D "$TEST_PG_DIR/data" -U guichet --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-sync >"$TEST_PG_DIR/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$TEST_PG_DIR/initdb.log")"
  # fsync off for tests: a test cluster holds nothing worth a power cut, and tests should not wait on disks.
  as_postgres_owner "$bin/pg_ctl" -D "$TEST_PG_DIR/data" -l "$TEST_PG_DIR/server.log" -w -t 60 \
    -o "-k $TEST_PG_DIR -p $TEST_PG_PORT -c listen_addresses=127.0.0.1 $durability -c max_connections=200" \
    start >/dev/null || die "PostgreSQL did not start: $(tail -n 5 "$TEST_PG_DIR/server.log")"
  as_postgres_owner "$bin/createdb" -h 127.0.0.1 -p "$TEST_PG_PORT" -U guichet guichet ||
    die "createdb failed"
  TEST_PG_CONNECTION="host=127.0.0.1 port=$TEST_PG_PORT user=guichet dbname=guichet"
}

stop_test_postgres() {
  [[ -n "$TEST_PG_DIR" ]] || return 0
  local bin
  if bin="$(postgres_bin_dir)"; then
    as_postgres_owner "$bin/pg_ctl" -D "$TEST_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TEST_PG_DIR"
  TEST_PG_DIR=""
}
