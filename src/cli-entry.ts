// Bundled by ncc into dist/cli/index.js: the `gantry` command.
import { cli } from './cli';

void cli(process.argv.slice(2)).then((code) => process.exit(code));
