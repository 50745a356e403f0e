# Shared paths, pinned versions and helpers for every testbed component script.
# Sourced by testbed.sh; nothing here starts anything by itself.

TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$TESTBED_DIR/../.." && pwd)

# Builds are keyed by tool and version so a second `up` (and a second CI run on the same
# machine) finds them; runtime state is separate so `down` + wipe never costs a rebuild.
GANTRY_CACHE=${GANTRY_CACHE:-$HOME/.cache/gantry}
TOOLS_DIR=$GANTRY_CACHE/testbed
STATE_DIR=$GANTRY_CACHE/state
PID_DIR=$STATE_DIR/pids
LOG_DIR=$STATE_DIR/logs
ENV_FILE=$REPO_DIR/.testbed/env

# Pinned versions. buildkit/buildx are the newest releases whose whole dependency graph the
# Go module proxy serves (buildkit v0.34.x / buildx v0.38.x need pseudo-versions it refuses).
BUILDKIT_VERSION=v0.33.1
BUILDX_VERSION=v0.37.2
KWOK_VERSION=v0.8.0
ACT_VERSION=v0.2.87 # nektos/act: runs workflows for test/e2e/act-workflows.test.ts
TRIVY_VERSION=v0.68.2
KUBERNETES_VERSION=v1.36.3
ETCD_VERSION=v3.6.8
# v3.6.x: the newest Traefik line the Go module proxy can build (see go/traefik/go.mod).
TRAEFIK_VERSION=v3.6.12
PAUSE_VERSION=1

# Fixed loopback ports: one testbed per machine.
REGISTRY=127.0.0.1:5000
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
APISERVER_PORT=6443
CONTROLLER_MANAGER_PORT=10257
SCHEDULER_PORT=10259
KWOK_PORT=10247

BUILDX_BUILDER_NAME=gantry-testbed
DOCKER_SOCK=$STATE_DIR/docker/docker.sock
BUILDKIT_SOCK=$STATE_DIR/buildkit/buildkitd.sock
KUBECONFIG_PATH=$STATE_DIR/kube/admin.kubeconfig

# The Debian client; /usr/local/bin/docker (if any) is a different, newer client and we
# want one known client whose plugin dir we control.
DOCKER_BIN=/usr/bin/docker
export DOCKER_HOST=unix://$DOCKER_SOCK

log() { printf '%s [testbed] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Install Debian packages only when missing: CI starts on a fresh machine, a developer's
# second `up` must not touch apt at all.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- processes: started detached, tracked by PID file, stopped by that PID only ---------

pid_of() { local f=$PID_DIR/$1.pid; [ -f "$f" ] && cat "$f"; }

# Running = the recorded PID is alive AND is still the binary we started: after a reboot or
# a killed session a stale PID file may name an unrelated process that reused the PID.
is_running() {
  local pid exe; pid=$(pid_of "$1") || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  exe=$(cat "$PID_DIR/$1.exe" 2>/dev/null) || return 1
  [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$exe")" ]
}

# start_daemon NAME CMD...: runs CMD in its own session, logs to LOG_DIR/NAME.log.
start_daemon() {
  local name=$1; shift
  mkdir -p "$PID_DIR" "$LOG_DIR"
  if is_running "$name"; then return 0; fi
  log "starting $name"
  # 9>&-: the daemon must not inherit the testbed lock, or every later `up` waits forever.
  setsid nohup "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PID_DIR/$name.pid"
  echo "$1" >"$PID_DIR/$name.exe"
}

stop_daemon() {
  local name=$1 pid i
  pid=$(pid_of "$name") || return 0
  if is_running "$name"; then
    log "stopping $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop, killing pid $pid"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$PID_DIR/$name.pid" "$PID_DIR/$name.exe"
}

# restart_if_changed NAME WHAT...: a daemon reads its flags and config once, so when what it
# was started with (flags, config text) differs from last time, stop it for a fresh start.
# write_if_changed FILE < content: leaves FILE (and its mtime) alone when the content is the
# same. kube-proxy exits as soon as its config file is rewritten, even unchanged.
write_if_changed() {
  local file=$1 tmp="$1.tmp.$$"
  cat >"$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv -f "$tmp" "$file"; fi
}

restart_if_changed() {
  local name=$1; shift
  local hash; hash=$(printf '%s\n' "$@" | sha256sum | cut -c1-16)
  if is_running "$name" && [ "$(cat "$PID_DIR/$name.cfg" 2>/dev/null)" != "$hash" ]; then
    log "$name's flags or config changed; restarting it"
    stop_daemon "$name"
  fi
  mkdir -p "$PID_DIR"
  echo "$hash" >"$PID_DIR/$name.cfg"
}

# stop_daemons NAME...: stops them concurrently (each waits for its own exit).
stop_daemons() {
  local name
  for name in "$@"; do stop_daemon "$name" & done
  wait
}

# wait_for DESCRIPTION SECONDS CMD...: polls CMD until it succeeds.
wait_for() {
  local what=$1 timeout=$2 i; shift 2
  for i in $(seq 1 $((timeout * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  die "$what not ready after ${timeout}s (logs: $LOG_DIR)"
}

# Fails the caller when a daemon exited during startup, pointing at its log.
require_running() {
  is_running "$1" || die "$1 exited; last log lines:
$(tail -n 20 "$LOG_DIR/$1.log" 2>/dev/null)"
}

docker_cli() { "$DOCKER_BIN" "$@"; }
