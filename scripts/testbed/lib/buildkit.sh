# buildkitd (OCI/runc worker, as root) and a buildx builder that uses it through the
# `remote` driver. The engine's own `docker` driver can export cache only inline; this
# builder exports type=registry/type=local cache like setup-buildx-action's on GitHub.

BUILDKIT_STATE=$STATE_DIR/buildkit

buildkit_up() {
  mkdir -p "$BUILDKIT_STATE"
  cat >"$BUILDKIT_STATE/buildkitd.toml" <<TOML
root = "$BUILDKIT_STATE/root"

[grpc]
  address = ["unix://$BUILDKIT_SOCK"]

[worker.oci]
  enabled = true
  gc = true

[worker.containerd]
  enabled = false

# The local registry speaks plain HTTP.
[registry."$REGISTRY"]
  http = true
  insecure = true
TOML
  if ! is_running buildkitd; then
    rm -f "$BUILDKIT_SOCK"
    # buildkitd looks for runc in PATH.
    start_daemon buildkitd "$BUILDKIT_DIR/buildkitd" --config "$BUILDKIT_STATE/buildkitd.toml"
  fi
  wait_for "buildkitd" 60 "$BUILDKIT_DIR/buildctl" --addr "unix://$BUILDKIT_SOCK" debug workers
  require_running buildkitd

  install_buildx_plugin
  # Recreate the builder when it points elsewhere (e.g. a state dir that moved).
  local endpoint
  endpoint=$(docker_cli buildx inspect "$BUILDX_BUILDER_NAME" 2>/dev/null | awk '/Endpoint:/ {print $2; exit}') || true
  if [ -n "$endpoint" ] && [ "$endpoint" != "unix://$BUILDKIT_SOCK" ]; then
    log "buildx builder $BUILDX_BUILDER_NAME points at $endpoint; recreating"
    docker_cli buildx rm "$BUILDX_BUILDER_NAME" >/dev/null 2>&1 || true
    endpoint=
  fi
  if [ -z "$endpoint" ]; then
    log "creating buildx builder $BUILDX_BUILDER_NAME (remote driver)"
    docker_cli buildx create --name "$BUILDX_BUILDER_NAME" --driver remote \
      "unix://$BUILDKIT_SOCK" >/dev/null
  fi
  docker_cli buildx inspect --bootstrap "$BUILDX_BUILDER_NAME" >/dev/null
}

# The plugin goes where every docker client looks by default (~/.docker/cli-plugins), so
# `docker buildx` works with whichever client is first in PATH, without DOCKER_CONFIG.
install_buildx_plugin() {
  local plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
  mkdir -p "$plugins"
  if [ "$(readlink "$plugins/docker-buildx" 2>/dev/null)" != "$BUILDX_DIR/buildx" ]; then
    ln -sfn "$BUILDX_DIR/buildx" "$plugins/docker-buildx"
  fi
}

buildkit_status() {
  is_running buildkitd && "$BUILDKIT_DIR/buildctl" --addr "unix://$BUILDKIT_SOCK" debug workers >/dev/null 2>&1
}

buildkit_down() { stop_daemon buildkitd; }
