# Trivy's vulnerability DB, authored offline: trivy/advisories.json -> a real schema-2 DB
# (trivy-db's own vulndb pipeline, see go/trivy/cmd/testbed-trivydb) -> pushed to the
# local registry as the OCI artifact `trivy --db-repository` downloads.

TRIVY_STATE=$STATE_DIR/trivy
TRIVY_DB_REPOSITORY=$REGISTRY/trivy-db:2
ADVISORIES_FILE=$TESTBED_DIR/trivy/advisories.json

# The package in testbed/vulnerable:1 that the advisories name (see images.sh).
VULN_PACKAGE=gantry-testbed-vulnlib
VULN_PACKAGE_VERSION=1.0.0-1

trivy_db_up() {
  mkdir -p "$TRIVY_STATE"
  local stamp hash
  stamp=$TRIVY_STATE/db.pushed
  hash=$( (cat "$ADVISORIES_FILE"; trivydb_hash) | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ] && in_registry "$TRIVY_DB_REPOSITORY"; then
    return 0
  fi
  log "building the authored Trivy DB and pushing $TRIVY_DB_REPOSITORY"
  "$TRIVY_DIR/testbed-trivydb" -advisories "$ADVISORIES_FILE" -out "$TRIVY_STATE/db" \
    -push "$TRIVY_DB_REPOSITORY" >"$LOG_DIR/trivy-db.log" 2>&1 ||
    die "building the Trivy DB failed: $(tail -n 20 "$LOG_DIR/trivy-db.log")"
  echo "$hash" >"$stamp"
}

trivy_status() { [ -x "$TRIVY_BIN" ] && in_registry "$TRIVY_DB_REPOSITORY" 2>/dev/null; }
