// From the scan's inputs to Trivy's JSON report: the policy files, the binary, the
// vulnerability DB and the scan itself, in a scratch directory of its own. The stage runs it
// on its turn, or ahead (once the build has pushed), with its output held for the stage's group.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Context } from '../../context';
import { errorMessage } from '../../lib/errors';
import type { ScanInputs } from './inputs';
import { mergeIgnoreFiles } from './ignore-files';
import { readPolicyFiles, type PolicyFile } from './policy-files';
import type { ScanTarget } from './target';
import { needsVulnerabilityDb, scanCommand, type ScanCommand } from './trivy-args';
import { installTrivy, type Trivy } from './trivy-binary';
import { prepareVulnerabilityDb, saveVulnerabilityDb } from './trivy-db';
import { describeSetAside, trivyEnvironment } from './trivy-env';
import { scanWithTrivy, type TrivyPlace } from './trivy-scan';

/** The scan's scratch space: Trivy's empty working directory, the policy files it is given. */
export interface Workdir {
  root: string;
  cwd: string;
  report: string;
}

function makeWorkdir(): Workdir {
  const root = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'gantry-scan-'));
  const cwd = path.join(root, 'cwd');
  fs.mkdirSync(cwd);
  return { root, cwd, report: path.join(root, 'trivy-report.json') };
}

/** The policy files Trivy gets, written where only Gantry put them; Trivy reads one ignore file. */
function writePolicyFiles(
  files: PolicyFile[],
  work: Workdir,
): {
  command: Pick<ScanCommand, 'ignoreFile' | 'configFile' | 'ignorePolicy' | 'secretConfig'>;
  given: Map<PolicyFile, string>;
} {
  const applied = files.filter((f) => f.content !== undefined);
  const given = new Map<PolicyFile, string>();
  const write = (name: string, content: string) => {
    const file = path.join(work.root, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const ignores = applied.filter((f) => f.role === 'ignorefile');
  const merged = mergeIgnoreFiles(ignores.map((f) => ({ path: f.path, content: f.content! })));
  const ignoreFile = write(
    merged.format === 'yaml' ? 'trivyignore.yaml' : 'trivyignore',
    merged.content,
  );
  for (const file of ignores) given.set(file, ignoreFile);
  const command: ReturnType<typeof writePolicyFiles>['command'] = { ignoreFile };
  const single = (role: PolicyFile['role'], name: string) => {
    const file = applied.find((f) => f.role === role);
    if (!file) return undefined;
    const written = write(name, file.content!);
    given.set(file, written);
    return written;
  };
  command.configFile = single('config', 'trivy.yaml');
  command.ignorePolicy = single('ignore-policy', 'ignore-policy.rego');
  command.secretConfig = single('secret-config', 'trivy-secret.yaml');
  return { command, given };
}

/** A finished scan: Trivy's JSON report and what produced it. `work` is the caller's to remove. */
export interface Scanned {
  json: string;
  trivy: Trivy;
  work: Workdir;
  place: TrivyPlace;
  /** The DB the scan used; undefined for scanners that need none. */
  db: Awaited<ReturnType<typeof prepareVulnerabilityDb>> | undefined;
  policy: ReturnType<typeof writePolicyFiles>;
  policyFiles: PolicyFile[];
  /** What was set aside (TRIVY_* variables, policy files not applied), one line each. */
  setAside: string[];
}

export async function scanWithPolicy(
  inputs: ScanInputs,
  ctx: Context,
  { target, label, imageSource }: ScanTarget,
): Promise<Scanned> {
  const policyFiles =
    inputs.appliedPolicyFiles ??
    (await readPolicyFiles(inputs.policyFiles, ctx, {
      trustPullRequest: inputs.trustPrPolicyFiles,
      token: inputs.githubToken,
    }));

  // The gate follows Gantry's inputs only: TRIVY_* variables are set aside, and Trivy runs
  // in an empty directory with the policy files Gantry chose.
  const environment = trivyEnvironment(process.env);
  const setAside = [
    ...environment.setAside.map(describeSetAside),
    ...policyFiles.flatMap((f) => (f.note ? [f.note] : [])),
  ];
  for (const line of setAside) core.warning(`Set aside: ${line}`);
  for (const file of policyFiles.filter((f) => f.content !== undefined)) {
    core.info(`Applying ${file.input} ${file.name}`);
  }

  const work = makeWorkdir();
  try {
    const place: TrivyPlace = { cwd: work.cwd, env: environment.env };
    const trivy = await installTrivy({
      version: inputs.trivyVersion,
      cacheDir: inputs.cacheDir,
      skipSetup: inputs.skipSetupTrivy,
      token: inputs.releaseToken,
    });
    core.info(`Trivy ${trivy.version} from ${trivy.source}: ${trivy.path}`);

    const dbSources = {
      cacheDir: inputs.cacheDir,
      repositories: inputs.dbRepositories,
      timeoutSeconds: inputs.dbTimeoutSeconds,
      useActionsCache: inputs.useActionsCache,
      ...place,
    };
    const needsDb = needsVulnerabilityDb(inputs.scanType, inputs.scanners);
    const db = needsDb ? await prepareVulnerabilityDb(trivy, dbSources) : undefined;

    core.info(`Scanning ${label} (${inputs.scanType})`);
    const policy = writePolicyFiles(policyFiles, work);
    const command = scanCommand(
      inputs,
      { target, imageSource },
      policy.command,
      work.report,
      ctx.workspace,
    );
    const json = await scanWithTrivy(trivy, command, place).catch((err: unknown) => {
      const source = inputs.imageArchive
        ? 'input'
        : inputs.scanRef
          ? 'scan-ref'
          : "the build stage's image";
      throw new Error(`Trivy could not scan ${label} (${source}): ${errorMessage(err)}`);
    });
    if (db) await saveVulnerabilityDb(db, dbSources);
    return { json, trivy, work, place, db, policy, policyFiles, setAside };
  } catch (err) {
    fs.rmSync(work.root, { recursive: true, force: true });
    throw err;
  }
}
