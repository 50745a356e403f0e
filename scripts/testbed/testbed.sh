#!/usr/bin/env bash
# Gantry's testbed: a real Docker engine, registry, BuildKit + buildx, Trivy (with an
# authored offline DB) and Kubernetes (kwok nodes and one real node, a router for weighted
# traffic, Prometheus) on this machine, listening on 127.0.0.1.
#   up      build what is missing (cached under ~/.cache/gantry), start what is stopped,
#           write .testbed/env; idempotent, seconds when already up
#   build   only the builds of `up` (packages and binaries), starting nothing
#   down    stop the processes `up` started, by their recorded PIDs
#   status  print the env and exit non-zero when a part is down
#   check   self-test every part (prints PASS/FAIL per part)
# See scripts/testbed/README.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$TESTBED_DIR/lib/tools.sh"
source "$TESTBED_DIR/lib/docker.sh"
source "$TESTBED_DIR/lib/buildkit.sh"
source "$TESTBED_DIR/lib/trivy.sh"
source "$TESTBED_DIR/lib/images.sh"
source "$TESTBED_DIR/lib/kube.sh"
source "$TESTBED_DIR/lib/realnode.sh"
source "$TESTBED_DIR/lib/router.sh"
source "$TESTBED_DIR/lib/prometheus.sh"
source "$TESTBED_DIR/lib/check.sh"

# Debian packages the testbed runs (the Go-built tools come from tools.sh).
DEBIAN_PACKAGES=(docker.io docker-registry runc containerd debootstrap busybox-static
  openssl jq curl iptables ca-certificates
  containernetworking-plugins prometheus gcc libc6-dev)

TESTBED_BIN=$STATE_DIR/bin

# One directory of the clients a test should call, first in PATH via the env file: the
# Debian docker client (matches the engine), our kubectl, trivy and buildctl.
link_clients() {
  mkdir -p "$TESTBED_BIN"
  ln -sfn "$DOCKER_BIN" "$TESTBED_BIN/docker"
  ln -sfn "$KUBE_DIR/kubectl" "$TESTBED_BIN/kubectl"
  ln -sfn "$TRIVY_BIN" "$TESTBED_BIN/trivy"
  ln -sfn "$BUILDKIT_DIR/buildctl" "$TESTBED_BIN/buildctl"
}

# KEY=value lines, literal values only (no $VAR): test/harness/testbed.ts parses them
# without a shell, and `source .testbed/env` works too.
write_env() {
  local path_now=${PATH#"$TESTBED_BIN:"}
  mkdir -p "$(dirname "$ENV_FILE")"
  cat >"$ENV_FILE.tmp" <<ENV
DOCKER_HOST=$DOCKER_HOST
DOCKER=$DOCKER_BIN
REGISTRY=$REGISTRY
BUILDX_BUILDER=$BUILDX_BUILDER_NAME
BUILDKIT_HOST=unix://$BUILDKIT_SOCK
KUBECONFIG=$KUBECONFIG_PATH
KUBECTL=$KUBE_DIR/kubectl
TRIVY=$TRIVY_BIN
TRIVY_DB_REPOSITORY=$TRIVY_DB_REPOSITORY
TESTBED_BIN=$TESTBED_BIN
PATH=$TESTBED_BIN:$path_now
TESTBED_STATE_DIR=$STATE_DIR
TESTBED_IMAGE_DEBIAN=$IMAGE_DEBIAN
TESTBED_IMAGE_BUSYBOX=$IMAGE_BUSYBOX
TESTBED_IMAGE_GOLANG=$IMAGE_GOLANG
TESTBED_IMAGE_VULNERABLE=$IMAGE_VULNERABLE
TESTBED_VULN_PACKAGE=$VULN_PACKAGE
TESTBED_VULN_PACKAGE_VERSION=$VULN_PACKAGE_VERSION
TESTBED_CRITICAL_CVE=CVE-2099-0001
TESTBED_HIGH_CVE=CVE-2099-0002
TESTBED_MEDIUM_CVE=CVE-2099-0003
TESTBED_LOW_CVE=CVE-2099-0004
TESTBED_FIXED_CVE=CVE-2099-0005
TESTBED_NEVER_READY_LABEL=testbed.gantry.dev/never-ready
TESTBED_NEVER_READY_IMAGE_MARKER=never-ready
TESTBED_KWOK_NODES=$(seq -s, -f 'kwok-node-%g' 0 $((KWOK_NODE_COUNT - 1)))
REALNODE=$REALNODE
REALNODE_IP=$REALNODE_IP
REALNODE_SELECTOR=$REALNODE_LABEL_KEY=$REALNODE_LABEL_VALUE
REALNODE_TAINT=$REALNODE_TAINT
REALNODE_POD_CIDR=$REALNODE_POD_CIDR
TESTBED_SERVICE_CIDR=$SERVICE_CIDR
TESTBED_IMAGE_PAUSE=$PAUSE_IMAGE
PROMETHEUS_URL=$PROMETHEUS_URL
ROUTER=$ROUTER
ROUTER_URL=$ROUTER_URL
ROUTER_TRAFFIC_SPLIT=gateway-api
ROUTER_GATEWAY_NAMESPACE=$ROUTER_GATEWAY_NAMESPACE
ROUTER_GATEWAY_NAME=$ROUTER_GATEWAY_NAME
ENV
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

cmd_up() {
  local start=$SECONDS
  [ "$(id -u)" = 0 ] || die "the testbed runs dockerd and buildkitd, so it needs root"
  mkdir -p "$STATE_DIR" "$LOG_DIR" "$PID_DIR"
  start_traefik_build
  ensure_packages "${DEBIAN_PACKAGES[@]}"
  build_tools
  link_clients
  docker_up
  registry_up
  buildkit_up
  images_up
  trivy_db_up
  kube_up
  realnode_up
  router_up
  prometheus_up
  write_env
  echo "$((SECONDS - start))" >"$STATE_DIR/last-up-seconds"
  log "testbed up in $((SECONDS - start))s; env: $ENV_FILE"
}

cmd_build() {
  local start=$SECONDS
  start_traefik_build
  ensure_packages "${DEBIAN_PACKAGES[@]}"
  build_tools
  traefik_built
  log "builds ready in $((SECONDS - start))s"
}

cmd_down() {
  # The real node before the API server: its pods' processes go with it.
  prometheus_down &
  router_down &
  realnode_down
  wait
  kube_down &
  buildkit_down &
  registry_down &
  docker_down &
  wait
  rm -f "$ENV_FILE"
  log "testbed down (state and builds kept under $GANTRY_CACHE)"
}

cmd_status() {
  local rc=0 part
  for part in docker registry buildkit trivy images kube realnode router prometheus; do
    if "${part}_status"; then
      echo "# $part: up"
    else
      echo "# $part: DOWN"
      rc=1
    fi
  done
  if [ -f "$ENV_FILE" ]; then cat "$ENV_FILE"; else echo "# no $ENV_FILE (run: npm run testbed -- up)"; rc=1; fi
  return $rc
}

# up and down change shared machine state (one testbed per machine, fixed ports): several
# test suites or developers may call them at once, so they take turns.
with_lock() {
  mkdir -p "$GANTRY_CACHE"
  exec 9>"$GANTRY_CACHE/testbed.lock"
  if ! flock -n 9; then
    log "another testbed up/down is running; waiting for it"
    flock 9
  fi
  "$@"
}

case "${1:-}" in
  up) with_lock cmd_up ;;
  build) with_lock cmd_build ;;
  down) with_lock cmd_down ;;
  status) cmd_status ;;
  check) cmd_check ;;
  *) echo "usage: testbed.sh up|build|down|status|check" >&2; exit 2 ;;
esac
