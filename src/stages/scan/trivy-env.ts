// The environment Trivy runs in. Trivy reads every flag from TRIVY_<FLAG> as well, so a
// variable in the step's environment could narrow what the gate sees (TRIVY_SEVERITY=LOW,
// TRIVY_SKIP_DIRS, ...). Only variables that say how to reach a registry pass; the rest are
// set aside and named, with the Gantry input that does the same job.

/** Registry credentials and transport: they change where Trivy reads from, not what it reports. */
const PASSED = new Set([
  'TRIVY_USERNAME',
  'TRIVY_PASSWORD',
  'TRIVY_PASSWORD_STDIN',
  'TRIVY_REGISTRY_TOKEN',
  'TRIVY_INSECURE',
  'TRIVY_NON_SSL',
  'TRIVY_DEBUG',
  'TRIVY_NO_COLOR',
]);

/** The Gantry input that replaces a Trivy variable, for the message. */
export const INPUT_FOR_VARIABLE: Record<string, string> = {
  TRIVY_SEVERITY: 'severity',
  TRIVY_IGNORE_UNFIXED: 'ignore-unfixed',
  TRIVY_SKIP_FILES: 'skip-files',
  TRIVY_SKIP_DIRS: 'skip-dirs',
  TRIVY_PKG_TYPES: 'pkg-types',
  TRIVY_VULN_TYPE: 'pkg-types',
  TRIVY_IGNOREFILE: 'trivyignores',
  TRIVY_IGNORE_POLICY: 'ignore-policy',
  TRIVY_CONFIG: 'trivy-config',
  TRIVY_SCANNERS: 'scanners',
  TRIVY_FORMAT: 'format',
  TRIVY_TEMPLATE: 'template',
  TRIVY_OUTPUT: 'output',
  TRIVY_EXIT_CODE: 'exit-code',
  TRIVY_TIMEOUT: 'timeout',
  TRIVY_LIST_ALL_PKGS: 'list-all-pkgs',
  TRIVY_TF_VARS: 'tf-vars',
  TRIVY_DOCKER_HOST: 'docker-host',
  TRIVY_INPUT: 'input',
  TRIVY_QUIET: 'hide-progress',
  TRIVY_CACHE_DIR: 'cache-dir',
  TRIVY_DB_REPOSITORY: 'trivy-db-repository',
  TRIVY_JAVA_DB_REPOSITORY: 'trivy-java-db-repository',
};

export interface TrivyEnvironment {
  env: NodeJS.ProcessEnv;
  /** Variables left out, each with what to use instead. */
  setAside: { name: string; input?: string }[];
}

export function trivyEnvironment(env: NodeJS.ProcessEnv): TrivyEnvironment {
  const kept: NodeJS.ProcessEnv = {};
  const setAside: TrivyEnvironment['setAside'] = [];
  for (const [name, value] of Object.entries(env)) {
    if (/^TRIVY_/i.test(name) && !PASSED.has(name.toUpperCase())) {
      setAside.push({ name, input: INPUT_FOR_VARIABLE[name.toUpperCase()] });
    } else {
      kept[name] = value;
    }
  }
  setAside.sort((a, b) => a.name.localeCompare(b.name));
  return { env: kept, setAside };
}

/** One line per variable, for the log and the summary. */
export function describeSetAside(entry: TrivyEnvironment['setAside'][number]): string {
  return entry.input
    ? `${entry.name} from the environment (the scan follows the ${entry.input} input)`
    : `${entry.name} from the environment (not an input of Gantry's scan)`;
}
