#!/usr/bin/env bash
# `npm run build`: the bundles GitHub runs, all committed under dist/.
#   dist/index.js        what action.yml runs: starts dist/main/index.js, the action, with V8's
#                        code cache where one is kept between jobs (src/launch/)
#   dist/post/index.js   the action's post step: for a deploy whose main step was killed, it
#                        loads dist/main/index.js to undo it (src/entry-mode.ts)
#   dist/cli/index.js    the command-line entry (`npx gantry`, the demo)
#   dist/split/<name>/   dependencies most runs never touch, loaded on first use
#                        (src/bundle/split.js), so that starting the action does not compile them
set -euo pipefail
cd "$(dirname "$0")/.."
ncc() { npx ncc build "$@" --minify --no-source-map-register --quiet; }

rm -rf dist
ncc src/index.ts -o dist/main --license licenses.txt
ncc src/launch.ts -o dist
ncc src/post.ts -o dist/post
ncc src/cli-entry.ts -o dist/cli
# Each split bundle's entry is the package's main file: the bare names are what the stand-ins in
# src/bundle/ replace (undici through tsconfig `paths`).
ncc node_modules/undici/index.js -o dist/split/undici --license licenses.txt
ncc node_modules/@actions/cache/lib/cache.js -o dist/split/actions-cache --license licenses.txt
ncc node_modules/@actions/tool-cache/lib/tool-cache.js -o dist/split/actions-tool-cache --license licenses.txt
