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
import { mergeIgnoreFiles } from './ignore-files';
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
import { installTrivy, prepareVulnerabilityDb, saveVulnerabilityDb, scanWithTrivy } from './trivy';
import { needsVulnerabilityDb } from './trivy-args';

/** Trivy reads one ignore file; several are merged into a temporary one. */
function ignoreFile(inputs: ScanInputs): string | undefined {
  if (inputs.trivyignores.length <= 1) return inputs.trivyignores[0];
  const merged = mergeIgnoreFiles(
    inputs.trivyignores.map((file) => ({ path: file, content: fs.readFileSync(file, 'utf8') })),
  );
  const dir = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'gantry-ignore-'));
  const file = path.join(dir, merged.format === 'yaml' ? '.trivyignore.yaml' : '.trivyignore');
  fs.writeFileSync(file, merged.content);
  return file;
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

  async run(inputs, ctx, previous) {
    const { target, label, imageSource } = scanTarget(
      inputs.scanType,
      inputs.scanRef,
      previous.build,
      ctx.workspace,
    );
    const trivy = await installTrivy(inputs.trivyVersion, inputs.cacheDir);
    core.info(`Trivy ${trivy.version} from ${trivy.source}: ${trivy.path}`);

    const needsDb = needsVulnerabilityDb(inputs.scanType, inputs.scanners);
    const db = needsDb
      ? await prepareVulnerabilityDb(trivy, inputs.cacheDir, inputs.dbRepositories)
      : undefined;

    core.info(`Scanning ${label} (${inputs.scanType})`);
    const command = {
      scanType: inputs.scanType,
      target,
      imageSource,
      scanners: inputs.scanners,
      cacheDir: inputs.cacheDir,
      javaDbRepositories: inputs.javaDbRepositories,
      ignoreFile: ignoreFile(inputs),
    };
    const json = await scanWithTrivy(trivy, command, ctx.workspace).catch((err: unknown) => {
      const source = inputs.scanRef ? 'scan-ref' : "the build stage's image";
      throw new Error(`Trivy could not scan ${label} (${source}): ${errorMessage(err)}`);
    });
    if (db) await saveVulnerabilityDb(db, inputs.cacheDir);

    let report = parseTrivyReport(json);
    if (inputs.scanType !== 'image') {
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
    };
    writeSarif(inputs.sarifFile, report, result);
    core.info(
      `${verdict.reported.length} findings reported, ${verdict.gating.length} at or above ` +
        `fail-on ${inputs.policy.failOn}; SARIF: ${inputs.sarifFile}`,
    );
    annotate(result);
    result.comment = await commentOnPullRequest(result, inputs, ctx);
    return result;
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
