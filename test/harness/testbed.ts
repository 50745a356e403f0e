// What the e2e tests need to reach the local testbed, read from the file `testbed.sh up`
// writes. A missing testbed is an error, never a skip.
import * as fs from 'fs';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TESTBED_ENV_FILE = path.join(REPO_ROOT, '.testbed', 'env');

export function testbedEnv(): Record<string, string> {
  if (!fs.existsSync(TESTBED_ENV_FILE)) {
    throw new Error(
      `The testbed is not up (${TESTBED_ENV_FILE} is missing). Run: npm run testbed -- up`,
    );
  }
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(TESTBED_ENV_FILE, 'utf8').split('\n')) {
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;
    env[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}
