#!/usr/bin/env bash
# `npm run bench`: every stage's benchmark (scripts/bench/<stage>.ts), each printing a Markdown
# table of medians. Budgets are stated in each table; timing never lives in tests.
set -uo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent build >/dev/null
status=0
for stage in meta build scan deploy job chain; do
  bench="scripts/bench/$stage.ts"
  [ -f "$bench" ] || continue
  printf '\n## %s\n\n' "$stage"
  npx tsx "$bench" || status=1
done
exit $status
