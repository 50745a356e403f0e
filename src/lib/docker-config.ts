// The Docker CLI's configuration directory and config.json, as the CLI itself finds them:
// $DOCKER_CONFIG, else ~/.docker. Read here for registry credentials (registry-manifest.ts),
// buildx's state (builder-store.ts) and where CLI plugins are installed (buildx-plugin.ts).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The parts of config.json Gantry reads. */
export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  /** Directories searched for CLI plugins before the usual ones. */
  cliPluginsExtraDirs?: string[];
}

export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
}

/** config.json; empty when there is none or it does not parse (the CLI's defaults then). */
export function readDockerConfig(env: NodeJS.ProcessEnv): DockerConfig {
  try {
    const text = fs.readFileSync(path.join(dockerConfigDir(env), 'config.json'), 'utf8');
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as DockerConfig) : {};
  } catch {
    return {};
  }
}
