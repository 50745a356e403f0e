// The scan stage: Trivy on the built image (or scan-ref), the gate, a SARIF file, the job
// summary, annotations and on pull requests one comment kept up to date.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runUrl, type Context } from '../../context';
import { errorMessage } from '../../lib/errors';
import { githubClient } from '../../lib/github';
import type { Stage } from '../types';
import { judge } from './gate';
import { mergeIgnoreFiles, suppressingRule } from './ignore-files';
import { readPolicyFiles, type PolicyFile } from './policy-files';
import { parseScanInputs, type ScanInputs } from './inputs';
import type { ScanReport, ScanResult } from './model';
import { upsertComment } from './pr-comment';
import {
  annotations,
  commentMarker,
  countsOutput,
  failureMessage,
  renderComment,
  renderScan,
} from './render';
import { parseTrivyReport, rebaseTargets } from './report';
import { toSarif } from './sarif';
import { scanTarget } from './target';
import { needsVulnerabilityDb, scanCommand, type ScanCommand } from './trivy-args';
import { installTrivy, type Trivy } from './trivy-binary';
import { prepareVulnerabilityDb, saveVulnerabilityDb } from './trivy-db';
import { describeSetAside, trivyEnvironment } from './trivy-env';
import { scanWithTrivy, writeFormatted, type TrivyPlace } from './trivy-scan';
import { submitDependencySnapshot } from './dependency-snapshot';

/** The scan's scratch space: Trivy's empty working directory, the policy files it is given. */
interface Workdir {
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

/** Name the rule that set each suppressed finding aside. */
function attributeSuppressions(
  report: ScanReport,
  files: PolicyFile[],
  given: Map<PolicyFile, string>,
): ScanReport {
  const known = files
    .filter((f) => f.content !== undefined)
    .map((f) => ({ name: f.name, role: f.role, content: f.content!, given: given.get(f) }));
  return {
    ...report,
    findings: report.findings.map((f) =>
      f.suppressed
        ? {
            ...f,
            suppressed: {
              ...f.suppressed,
              rule: suppressingRule(f.id, f.suppressed.source, known) ?? f.suppressed.source,
            },
          }
        : f,
    ),
  };
}

async function writeFormattedReport(
  trivy: Trivy,
  inputs: ScanInputs,
  ctx: Context,
  work: Workdir,
  place: TrivyPlace,
): Promise<ScanResult['formatted']> {
  const request = inputs.format;
  if (!request) return undefined;
  // The dependency snapshot is for the API; without an output it still needs a file.
  const output =
    request.output ||
    (request.format === 'github' ? path.join(work.root, 'dependency-snapshot.json') : '');
  await writeFormatted(
    trivy,
    { ...request, output },
    work.report,
    inputs.policy.severities,
    inputs.policy.ignoreUnfixed,
    place,
  );
  if (request.output) core.info(`Wrote the ${request.format} report to ${request.output}`);
  if (request.format === 'github') {
    const token = inputs.githubPat || inputs.githubToken;
    if (!token) {
      core.warning(
        'format github: no github-pat (or github-token); the dependency snapshot is not submitted',
      );
    } else {
      try {
        const answer = await submitDependencySnapshot(output, token, ctx);
        core.info(
          `Submitted the dependency snapshot${answer.id ? ` ${answer.id}` : ''} to the ` +
            `dependency graph of ${ctx.repository.owner}/${ctx.repository.repo}`,
        );
      } catch (err) {
        core.warning(`Submitting the dependency snapshot failed: ${errorMessage(err)}`);
      }
    }
  }
  return { format: request.format, file: request.output };
}

function writeSarif(file: string, report: ScanReport, result: ScanResult): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sarif = toSarif(result.verdict.reported, report, result.trivyVersion);
  fs.writeFileSync(file, JSON.stringify(sarif, null, 2));
}

function annotate(result: ScanResult): void {
  for (const a of annotations(result)) {
    const properties = { title: a.title, file: a.file, startLine: a.startLine, endLine: a.endLine };
    if (a.level === 'error') core.error(a.message, properties);
    else core.warning(a.message, properties);
  }
}

async function commentOnPullRequest(
  result: ScanResult,
  inputs: ScanInputs,
  ctx: Context,
): Promise<ScanResult['comment']> {
  const isPullRequest = ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target';
  if (!inputs.prComment || !isPullRequest || !ctx.pullRequestNumber) return undefined;
  if (!inputs.githubToken) {
    core.warning('No github-token: the scan results are not commented on the pull request');
    return undefined;
  }
  const marker = commentMarker(ctx.workflow, ctx.job);
  const body = renderComment(result, inputs.policy.failOn, inputs.policy.severities, {
    marker,
    sha: (ctx.payload.pull_request?.head?.sha as string | undefined) ?? ctx.sha,
    runUrl: runUrl(ctx),
  });
  try {
    const comment = await upsertComment(
      githubClient(inputs.githubToken, ctx),
      { ...ctx.repository, issueNumber: ctx.pullRequestNumber },
      marker,
      body,
    );
    core.info(`${comment.updated ? 'Updated' : 'Created'} the PR comment ${comment.url}`);
    return comment;
  } catch (err) {
    // Pull requests from forks get a read-only token: the scan result still stands.
    core.warning(
      `Could not comment on pull request #${ctx.pullRequestNumber}: ${errorMessage(err)}`,
    );
    return undefined;
  }
}

export const scanStage: Stage<ScanInputs, ScanResult> = {
  name: 'scan',
  parseInputs: (source, ctx) => parseScanInputs(source, ctx),

  // Reading the policy files (from the base branch on pull requests) is read-only: a file
  // that cannot be read fails here, before any stage builds or pushes.
  async prepare(inputs, ctx) {
    const appliedPolicyFiles = await readPolicyFiles(inputs.policyFiles, ctx, {
      trustPullRequest: inputs.trustPrPolicyFiles,
      token: inputs.githubToken,
    });
    return { ...inputs, appliedPolicyFiles };
  },

  async run(inputs, ctx, previous) {
    if (inputs.githubPat) core.setSecret(inputs.githubPat);
    if (inputs.releaseToken) core.setSecret(inputs.releaseToken);
    const { target, label, imageSource } = inputs.imageArchive
      ? {
          target: '',
          label: path.relative(ctx.workspace, inputs.imageArchive),
          imageSource: undefined,
        }
      : scanTarget(inputs.scanType, inputs.scanRef, previous.build, ctx.workspace);
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

      let report = attributeSuppressions(parseTrivyReport(json), policyFiles, policy.given);
      if (inputs.scanType !== 'image' && target && fs.existsSync(target)) {
        const root = fs.statSync(target).isDirectory() ? target : path.dirname(target);
        report = rebaseTargets(report, root, ctx.workspace);
      }
      const verdict = judge(report.findings, inputs.policy);
      const result: ScanResult = {
        result: verdict.passed ? 'passed' : 'failed',
        vulnerabilities: verdict.counts,
        sarif: inputs.sarifFile,
        target: label,
        scanType: inputs.scanType,
        trivyVersion: trivy.version,
        verdict,
        dbRepository: db?.repository ?? '',
        setAside,
        policyFiles: policyFiles.filter((f) => f.content !== undefined).map((f) => f.name),
      };
      writeSarif(inputs.sarifFile, report, result);
      core.info(
        `${verdict.reported.length} findings reported, ${verdict.gating.length} at or above ` +
          `fail-on ${inputs.policy.failOn}; SARIF: ${inputs.sarifFile}`,
      );
      for (const finding of report.findings.filter((f) => f.suppressed)) {
        core.info(`Set aside by ${finding.suppressed!.rule}: ${finding.id} (${finding.severity})`);
      }
      result.formatted = await writeFormattedReport(trivy, inputs, ctx, work, place);
      annotate(result);
      result.comment = await commentOnPullRequest(result, inputs, ctx);
      return result;
    } finally {
      fs.rmSync(work.root, { recursive: true, force: true });
    }
  },

  report(result, inputs) {
    return {
      outputs: {
        'scan-result': result.result,
        vulnerabilities: countsOutput(result),
        sarif: result.sarif,
      },
      summary: renderScan(result, inputs.policy.failOn, inputs.policy.severities),
      failure:
        result.result === 'failed' ? failureMessage(result, inputs.policy.failOn) : undefined,
    };
  },
};
