# Base images: nothing can be pulled here, so we make them and push them to the local
# registry under fixed names tests and examples rely on (see README.md).

IMAGE_DEBIAN=$REGISTRY/testbed/debian:12
IMAGE_BUSYBOX=$REGISTRY/testbed/busybox:1
IMAGE_GOLANG=$REGISTRY/testbed/golang:1
IMAGE_VULNERABLE=$REGISTRY/testbed/vulnerable:1

DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The rootfs tarball is a build product like a binary: cached, so re-runs skip debootstrap.
DEBIAN_ROOTFS_TAR=$TOOLS_DIR/debian-bookworm-minbase/rootfs.tar

# in_registry REF: true when the registry already serves REF (so this `up` can skip it).
in_registry() {
  local ref=${1#"$REGISTRY"/} repo tag
  repo=${ref%:*}; tag=${ref##*:}
  curl -fsS -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "http://$REGISTRY/v2/$repo/manifests/$tag" 2>/dev/null
}

push_image() { docker_cli push -q "$1" >/dev/null || die "pushing $1 failed"; log "pushed $1"; }

debian_rootfs() {
  [ -s "$DEBIAN_ROOTFS_TAR" ] && return 0
  local dir; dir=$(mktemp -d "$STATE_DIR/debootstrap.XXXX")
  log "debootstrap --variant=minbase bookworm (about 30s, ~200 MB)"
  debootstrap --variant=minbase bookworm "$dir" "$DEBIAN_MIRROR" >"$LOG_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed: $(tail -n 20 "$LOG_DIR/debootstrap.log")"
  # Drop what an image does not need (apt lists, caches) to keep pushes small.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/* "$dir"/tmp/*
  mkdir -p "$(dirname "$DEBIAN_ROOTFS_TAR")"
  tar --numeric-owner -C "$dir" -cf "$DEBIAN_ROOTFS_TAR.tmp" .
  mv "$DEBIAN_ROOTFS_TAR.tmp" "$DEBIAN_ROOTFS_TAR"
  rm -rf "$dir"
}

image_debian() {
  in_registry "$IMAGE_DEBIAN" && return 0
  debian_rootfs
  log "importing $IMAGE_DEBIAN"
  docker_cli import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$DEBIAN_ROOTFS_TAR" "$IMAGE_DEBIAN" >/dev/null
  push_image "$IMAGE_DEBIAN"
}

# busybox-static only: no package database, so Trivy must report nothing for it.
image_busybox() {
  in_registry "$IMAGE_BUSYBOX" && return 0
  local dir applet; dir=$(mktemp -d "$STATE_DIR/busybox.XXXX")
  mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc"
  cp /bin/busybox "$dir/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
  log "importing $IMAGE_BUSYBOX"
  tar --numeric-owner --owner=0 --group=0 -C "$dir" -c . |
    docker_cli import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$IMAGE_BUSYBOX" >/dev/null
  rm -rf "$dir"
  push_image "$IMAGE_BUSYBOX"
}

# Debian + this machine's Go toolchain. Offline: a std-lib-only module builds, nothing
# may reach for the module proxy or a newer toolchain.
image_golang() {
  in_registry "$IMAGE_GOLANG" && return 0
  local goroot; goroot=$(go env GOROOT)
  log "building $IMAGE_GOLANG (Go $(go env GOVERSION) from $goroot)"
  # The Go root is the build context; only the Dockerfile comes from the repo.
  DOCKER_BUILDKIT=1 docker_cli build -q -t "$IMAGE_GOLANG" \
    --build-arg "BASE=$IMAGE_DEBIAN" -f "$TESTBED_DIR/images/golang.Dockerfile" "$goroot" >/dev/null ||
    die "building $IMAGE_GOLANG failed"
  push_image "$IMAGE_GOLANG"
}

# Debian + one dpkg package of ours whose name and versions match the authored advisories
# in trivy/advisories.json. debian:12 itself stays free of authored findings.
image_vulnerable() {
  in_registry "$IMAGE_VULNERABLE" && return 0
  local dir; dir=$(mktemp -d "$STATE_DIR/vulnerable.XXXX")
  mkdir -p "$dir/pkg/DEBIAN" "$dir/pkg/usr/share/doc/$VULN_PACKAGE"
  cat >"$dir/pkg/DEBIAN/control" <<CONTROL
Package: $VULN_PACKAGE
Version: $VULN_PACKAGE_VERSION
Architecture: all
Maintainer: Gantry testbed <testbed@gantry.invalid>
Description: Gantry testbed package with authored (made-up) vulnerabilities
 Exists only so Trivy has dpkg findings to report in testbed/vulnerable:1.
CONTROL
  echo "Authored test package; see scripts/testbed/README.md in Gantry." \
    >"$dir/pkg/usr/share/doc/$VULN_PACKAGE/README"
  dpkg-deb --root-owner-group --build "$dir/pkg" "$dir/$VULN_PACKAGE.deb" >/dev/null
  log "building $IMAGE_VULNERABLE"
  DOCKER_BUILDKIT=1 docker_cli build -q -t "$IMAGE_VULNERABLE" \
    --build-arg "BASE=$IMAGE_DEBIAN" -f "$TESTBED_DIR/images/vulnerable.Dockerfile" "$dir" >/dev/null ||
    die "building $IMAGE_VULNERABLE failed"
  rm -rf "$dir"
  push_image "$IMAGE_VULNERABLE"
}

images_up() {
  image_debian
  image_busybox
  image_golang
  image_vulnerable
}

images_status() {
  local ref ok=0
  for ref in "$IMAGE_DEBIAN" "$IMAGE_BUSYBOX" "$IMAGE_GOLANG" "$IMAGE_VULNERABLE"; do
    in_registry "$ref" 2>/dev/null || { echo "missing image $ref" >&2; ok=1; }
  done
  return $ok
}
