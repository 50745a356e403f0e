#!/usr/bin/env bash
# The README's test command (`npm test`), also what .ci/run runs. On a fresh machine it installs
# what it needs first: npm packages, then the testbed (Docker engine, registry, BuildKit, Trivy,
# Kubernetes) for the end-to-end suites. Ends with one line: "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

step "format, lint, types"
npx prettier --check .
npx eslint .
npx tsc --noEmit

step "bundle dist/"
npm run build --silent
# GitHub runs dist/index.js, not src/: in CI the committed bundle must be the one src/ builds.
if [ -n "${CI:-}" ] && [ -n "$(git status --porcelain -- dist)" ]; then
  git status --short -- dist
  echo "dist/ is stale: run 'npm run build' and commit dist/." >&2
  exit 1
fi

step "README reference matches action.yml"
npx tsx scripts/docs.ts --check

results="$(mktemp -d)"
status=0
step "unit tests"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" || status=1

step "testbed up (real Docker engine, registry, BuildKit, Trivy, Kubernetes)"
npm run --silent testbed -- up

step "end-to-end tests against the testbed"
# --forceExit: once every suite has reported (results written), end the run. One run on this
# machine (the 2 full runs before it exited normally) passed all 186 and then never exited: its jest process spun at
# 100 % CPU with no system calls and no child, for 15 minutes, until killed. Cause not found.
npx jest --selectProjects e2e --runInBand --forceExit --json --outputFile="$results/e2e.json" || status=1

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
' "$results/unit.json" "$results/e2e.json"
exit $status
