# Docker engine (Debian's docker.io) and the local registry (Debian's docker-registry).
# The engine runs on a socket and data root of our own so it never fights a system dockerd.

DOCKER_STATE=$STATE_DIR/docker
REGISTRY_STATE=$STATE_DIR/registry

docker_up() {
  mkdir -p "$DOCKER_STATE"
  if ! is_running dockerd; then
    rm -f "$DOCKER_SOCK"
    # --ip: published ports bind to loopback only. dockerd starts its own containerd.
    # 127.0.0.1:5000 is trusted as a loopback registry already; listed for clarity.
    start_daemon dockerd /usr/sbin/dockerd \
      --host "unix://$DOCKER_SOCK" \
      --data-root "$DOCKER_STATE/root" \
      --exec-root "$DOCKER_STATE/exec" \
      --pidfile "$DOCKER_STATE/dockerd.pid" \
      --ip 127.0.0.1 \
      --insecure-registry "$REGISTRY"
  fi
  wait_for "dockerd" 60 docker_cli version
  require_running dockerd
}

registry_up() {
  mkdir -p "$REGISTRY_STATE/data"
  cat >"$REGISTRY_STATE/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_STATE/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  is_running registry || start_daemon registry /usr/bin/docker-registry serve "$REGISTRY_STATE/config.yml"
  wait_for "registry on $REGISTRY" 30 curl -fsS "http://$REGISTRY/v2/"
  require_running registry
}

docker_status() {
  is_running dockerd && docker_cli version --format '{{.Server.Version}}' >/dev/null 2>&1
}
registry_status() {
  is_running registry && curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1
}

docker_down() { stop_daemon dockerd; }
registry_down() { stop_daemon registry; }
