#!/usr/bin/env node
// The `gantry` command: the bundled CLI (same stages as the action).
require('../dist/cli/index.js');
