// The scan stage: Trivy on the built image (or scan-ref), the gate, a SARIF file, the job
// summary, annotations and on pull requests one comment kept up to date.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as path from 'path';
import { runUrl, type Context } from '../../context';
import { errorMessage } from '../../lib/errors';
import { githubClient } from '../../lib/github';
import type { Stage } from '../types';
import { judge } from './gate';
import { suppressingRule } from './ignore-files';
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
import { scanWithPolicy, type Workdir } from './trivy-run';
import { deferOutput } from '../../lib/deferred-output';
import type { Trivy } from './trivy-binary';
import { writeFormatted, type TrivyPlace } from './trivy-scan';
import { submitDependencySnapshot } from './dependency-snapshot';

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

function maskTokens(inputs: ScanInputs): void {
  if (inputs.githubPat) core.setSecret(inputs.githubPat);
  if (inputs.releaseToken) core.setSecret(inputs.releaseToken);
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

  // Once the build has pushed its image, the scan of it starts beside the build's last steps
  // (the size lookup for its summary); its log is held for the scan's own group.
  ahead(inputs, ctx, results) {
    const build = results.build;
    if (inputs.ahead || inputs.imageArchive || !build?.image || !build.pushed) return inputs;
    if (inputs.scanType !== 'image' || inputs.scanRef) return inputs;
    maskTokens(inputs);
    const target = scanTarget(
      inputs.scanType,
      inputs.scanRef,
      { image: build.image, pushed: true, imageId: '', loaded: false, tags: [] },
      ctx.workspace,
    );
    return {
      ...inputs,
      ahead: {
        target: target.target,
        scanned: deferOutput(() => scanWithPolicy(inputs, ctx, target)),
      },
    };
  },

  async run(inputs, ctx, previous) {
    maskTokens(inputs);
    const { target, label, imageSource } = inputs.imageArchive
      ? {
          target: '',
          label: path.relative(ctx.workspace, inputs.imageArchive),
          imageSource: undefined,
        }
      : scanTarget(inputs.scanType, inputs.scanRef, previous.build, ctx.workspace);
    // Started as soon as the build pushed (scanStage.ahead) when it scans the same target;
    // one of another target (the build reported another digest in the end) is dropped.
    const ahead = inputs.ahead;
    if (ahead && ahead.target !== target)
      ahead.scanned.outcome.then(
        (unused) => fs.rmSync(unused.work.root, { recursive: true, force: true }),
        () => undefined,
      );
    const scanned =
      ahead && ahead.target === target
        ? await ahead.scanned.replay()
        : await scanWithPolicy(inputs, ctx, { target, label, imageSource });
    const { json, trivy, work, place, db, policy, policyFiles, setAside } = scanned;
    try {
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
