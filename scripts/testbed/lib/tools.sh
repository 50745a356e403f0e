# Builds every testbed binary from pinned Go modules into TOOLS_DIR/<tool>-<version>/.
# A tool whose binaries exist is skipped, so only the first `up` on a machine pays for it
# (cold: see README.md; mostly Trivy, BuildKit and Kubernetes).

GO_MODULES_DIR=$TESTBED_DIR/go

# with_heartbeat NAME LOGFILE CMD...: runs CMD with output to LOGFILE and a line a minute,
# so a long cold build visibly progresses in CI logs.
with_heartbeat() {
  local name=$1 buildlog=$2; shift 2
  local start=$SECONDS beat=$SECONDS pid
  "$@" >"$buildlog" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 2
    if (( SECONDS - beat >= 60 )) && kill -0 "$pid" 2>/dev/null; then
      beat=$SECONDS
      log "  ... still building $name ($((SECONDS - start))s)"
    fi
  done
  wait "$pid" || die "building $name failed:
$(tail -n 30 "$buildlog")"
  log "built $name in $((SECONDS - start))s"
}

# go_build TOOL-DIR MODULE-DIR LDFLAGS PACKAGE...: one `go build` so packages share work.
go_build() {
  local out=$1 moddir=$2 ldflags=$3; shift 3
  local name; name=$(basename "$out")
  mkdir -p "$out" "$LOG_DIR"
  log "building $name (go build ${*##*/}); log: $LOG_DIR/build-$name.log"
  with_heartbeat "$name" "$LOG_DIR/build-$name.log" \
    env -C "$moddir" GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" \
      ${GO_BUILD_EXPERIMENT:+GOEXPERIMENT=$GO_BUILD_EXPERIMENT} \
      go build -trimpath -ldflags "-s -w $ldflags" -o "$out/.build/" "$@"
  # Binaries appear only once complete: an interrupted build never looks "already built".
  mv -f "$out"/.build/* "$out"/ && rmdir "$out/.build"
}

have_all() { local f; for f in "$@"; do [ -x "$f" ] || return 1; done; }

BUILDKIT_DIR=$TOOLS_DIR/buildkit-$BUILDKIT_VERSION
BUILDX_DIR=$TOOLS_DIR/buildx-$BUILDX_VERSION
KWOK_DIR=$TOOLS_DIR/kwok-$KWOK_VERSION
ACT_DIR=$TOOLS_DIR/act-$ACT_VERSION
TRIVY_DIR=$TOOLS_DIR/trivy-$TRIVY_VERSION
# Kubernetes binaries carry their version (kubectl version, the node's kubeletVersion); the
# testbed's own build otherwise says v0.0.0-master.
KUBE_VERSION_PKG=k8s.io/component-base/version
KUBE_MINOR=${KUBERNETES_VERSION#v*.}; KUBE_MINOR=${KUBE_MINOR%%.*}
KUBE_LDFLAGS="-X $KUBE_VERSION_PKG.gitVersion=$KUBERNETES_VERSION -X $KUBE_VERSION_PKG.gitMajor=1"
KUBE_LDFLAGS+=" -X $KUBE_VERSION_PKG.gitMinor=$KUBE_MINOR -X $KUBE_VERSION_PKG.gitTreeState=clean"
KUBE_LDFLAGS+=" -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION"
# Keyed by version and by what is built (module files, flags): a build with other commands
# goes to a new directory, so daemons still running from the old one are never replaced
# under their feet (is_running compares the running binary with the recorded path).
KUBE_BUILD_KEY=$(cat "$GO_MODULES_DIR"/kube/go.mod "$GO_MODULES_DIR"/kube/go.sum \
  "$GO_MODULES_DIR"/kube/tools.go <(echo "$KUBE_LDFLAGS") | sha256sum | cut -c1-8)
KUBE_DIR=$TOOLS_DIR/kubernetes-$KUBERNETES_VERSION-$KUBE_BUILD_KEY
TRAEFIK_DIR=$TOOLS_DIR/traefik-$TRAEFIK_VERSION
PAUSE_DIR=$TOOLS_DIR/pause-$PAUSE_VERSION
ETCD_DIR=$TOOLS_DIR/etcd-$ETCD_VERSION
TRIVY_BIN=$TRIVY_DIR/trivy

# Our own DB tool changes with our source, not with Trivy's pin: key it by a content hash.
trivydb_hash() {
  cat "$GO_MODULES_DIR/trivy/go.mod" "$GO_MODULES_DIR/trivy/go.sum" \
      "$GO_MODULES_DIR"/trivy/cmd/testbed-trivydb/*.go | sha256sum | cut -c1-12
}

# On a fresh machine every build starts by downloading its modules, with the CPUs idle:
# fetch all of them in the background while the first builds compile. Only when a build
# is missing; each build still downloads anything this missed.
prefetch_go_modules() {
  local moddir
  for moddir in "$GO_MODULES_DIR"/*/; do
    env -C "$moddir" GOTOOLCHAIN=local GOFLAGS=-mod=readonly go mod download 2>&1 ||
      echo "prefetch in $moddir failed (its build downloads again)"
  done
  GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download "sigs.k8s.io/kwok@$KWOK_VERSION" 2>&1 || true
}

# Traefik, the router (Gateway API weights), builds in the background from the start of
# `up`: it fills the cold up's waits on apt, downloads, debootstrap and image pushes, and only
# router_up needs it (traefik_built waits there).
TRAEFIK_BUILD_PID=""
start_traefik_build() {
  have_all "$TRAEFIK_DIR/traefik" && return 0
  command -v go >/dev/null || die "go is required to build the testbed (Go >= 1.26)"
  ( go_build "$TRAEFIK_DIR" "$GO_MODULES_DIR/traefik" \
      "-X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
      github.com/traefik/traefik/v3/cmd/traefik ) 9>&- &
  TRAEFIK_BUILD_PID=$!
}

traefik_built() {
  if [ -n "$TRAEFIK_BUILD_PID" ]; then
    log "waiting for the traefik build (log: $LOG_DIR/build-traefik-$TRAEFIK_VERSION.log)"
    wait "$TRAEFIK_BUILD_PID" || true
    TRAEFIK_BUILD_PID=""
  fi
  have_all "$TRAEFIK_DIR/traefik" || die "building traefik-$TRAEFIK_VERSION failed:
$(tail -n 30 "$LOG_DIR/build-traefik-$TRAEFIK_VERSION.log" 2>/dev/null)"
}

build_tools() {
  command -v go >/dev/null || die "go is required to build the testbed (Go >= 1.26)"
  local prefetch=""
  if ! have_all "$BUILDKIT_DIR/buildkitd" "$BUILDX_DIR/buildx" "$KWOK_DIR/kwok" "$ETCD_DIR/etcd" \
      "$KUBE_DIR/kubelet" "$TRIVY_BIN" "$TRAEFIK_DIR/traefik"; then
    mkdir -p "$LOG_DIR"
    prefetch_go_modules >"$LOG_DIR/prefetch-go-modules.log" 2>&1 9>&- &
    prefetch=$!
  fi

  have_all "$BUILDKIT_DIR/buildkitd" "$BUILDKIT_DIR/buildctl" ||
    go_build "$BUILDKIT_DIR" "$GO_MODULES_DIR/buildkit" \
      "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
      github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl

  have_all "$BUILDX_DIR/buildx" ||
    go_build "$BUILDX_DIR" "$GO_MODULES_DIR/buildx" \
      "-X github.com/docker/buildx/version.Version=$BUILDX_VERSION" \
      github.com/docker/buildx/cmd/buildx

  # kwok's go.mod has no replace/exclude directives, so a plain pinned `go install` works.
  if ! have_all "$KWOK_DIR/kwok"; then
    log "building kwok-$KWOK_VERSION (go install); log: $LOG_DIR/build-kwok-$KWOK_VERSION.log"
    mkdir -p "$KWOK_DIR"
    with_heartbeat "kwok-$KWOK_VERSION" "$LOG_DIR/build-kwok-$KWOK_VERSION.log" \
      env GOTOOLCHAIN=local GOBIN="$KWOK_DIR/.build" go install -trimpath -ldflags "-s -w" \
        "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    mv -f "$KWOK_DIR/.build/kwok" "$KWOK_DIR/kwok" && rmdir "$KWOK_DIR/.build"
  fi

  # nektos/act, the workflow runner of the act e2e suite; like kwok, a plain pinned install.
  if ! have_all "$ACT_DIR/act"; then
    log "building act-$ACT_VERSION (go install); log: $LOG_DIR/build-act-$ACT_VERSION.log"
    mkdir -p "$ACT_DIR"
    with_heartbeat "act-$ACT_VERSION" "$LOG_DIR/build-act-$ACT_VERSION.log" \
      env GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOBIN="$ACT_DIR/.build" \
        go install -trimpath -ldflags "-s -w" "github.com/nektos/act@$ACT_VERSION"
    mv -f "$ACT_DIR/.build/act" "$ACT_DIR/act" && rmdir "$ACT_DIR/.build"
  fi

  have_all "$ETCD_DIR/etcd" ||
    go_build "$ETCD_DIR" "$GO_MODULES_DIR/etcd" "" .

  # kubectl too: a fresh machine has none, and a client of the same minor avoids skew. The
  # real node's kubelet and kube-proxy in the same `go build`: they share most packages.
  have_all "$KUBE_DIR/kube-apiserver" "$KUBE_DIR/kube-controller-manager" \
           "$KUBE_DIR/kube-scheduler" "$KUBE_DIR/kubectl" \
           "$KUBE_DIR/kubelet" "$KUBE_DIR/kube-proxy" ||
    go_build "$KUBE_DIR" "$GO_MODULES_DIR/kube" "$KUBE_LDFLAGS" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl \
      k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy


  # The real node's sandbox ("pause") binary: nothing can be pulled from registry.k8s.io.
  if ! have_all "$PAUSE_DIR/pause"; then
    mkdir -p "$PAUSE_DIR"
    gcc -Os -static -o "$PAUSE_DIR/.pause" "$TESTBED_DIR/images/pause.c" && strip "$PAUSE_DIR/.pause" ||
      die "building the pause binary failed (needs gcc and libc6-dev)"
    mv -f "$PAUSE_DIR/.pause" "$PAUSE_DIR/pause"
  fi

  local hash; hash=$(trivydb_hash)
  if ! have_all "$TRIVY_BIN" "$TRIVY_DIR/testbed-trivydb" ||
     [ "$(cat "$TRIVY_DIR/.testbed-trivydb.hash" 2>/dev/null)" != "$hash" ]; then
    # Trivy's own release builds use the encoding/json/v2 experiment (pkg/x/json needs it).
    GO_BUILD_EXPERIMENT=jsonv2 go_build "$TRIVY_DIR" "$GO_MODULES_DIR/trivy" \
      "-X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
      github.com/aquasecurity/trivy/cmd/trivy ./cmd/testbed-trivydb
    echo "$hash" >"$TRIVY_DIR/.testbed-trivydb.hash"
  fi
  [ -z "$prefetch" ] || wait "$prefetch" || true
}
