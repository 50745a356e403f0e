#!/usr/bin/env bash
# `npm run demo`: the main job on one command. Installs what is missing, then runs the
# pipeline with the `gantry` CLI on the example service as a tag push would.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -f dist/cli/index.js ] || npm run --silent build
exec npx tsx scripts/demo.ts "$@"
