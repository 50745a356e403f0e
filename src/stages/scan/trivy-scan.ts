// Runs the scan (Trivy's JSON report, which the gate reads) and the extra report that
// trivy-action users ask for with `format`, converted from that JSON without a second scan.
import * as core from '@actions/core';
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../lib/exec';
import { convertArgs, withoutUnfixed } from './formats';
import type { FormatRequest } from './inputs';
import type { Severity } from './model';
import type { Trivy } from './trivy-binary';
import { scanArgs, type ScanCommand } from './trivy-args';

/** Where Trivy runs: an empty directory (no ./trivy.yaml or ./.trivyignore of anyone's). */
export interface TrivyPlace {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

// Trivy's own --timeout (default 5m) ends a scan; this is the backstop for a Trivy that
// does not stop by itself.
const DEFAULT_SCAN_TIMEOUT_SECONDS = 300;
const BACKSTOP_SECONDS = 60;

/** Run the scan and return Trivy's JSON report text (also left at command.outputFile). */
export async function scanWithTrivy(
  trivy: Trivy,
  command: ScanCommand,
  place: TrivyPlace,
): Promise<string> {
  const timeout = (command.timeoutSeconds ?? DEFAULT_SCAN_TIMEOUT_SECONDS) + BACKSTOP_SECONDS;
  await run(trivy.path, scanArgs(command), {
    ...place,
    stream: true,
    timeoutMs: timeout * 1000,
  });
  return fs.readFileSync(command.outputFile, 'utf8');
}

/** trivy-action's `@/contrib/*.tpl` are the templates shipped beside the trivy binary. */
function resolveTemplate(template: string, trivy: Trivy): string {
  if (!template.startsWith('@/contrib/')) return template;
  const file = path.join(path.dirname(trivy.path), template.slice(2));
  if (!fs.existsSync(file)) {
    throw new Error(
      `Input "template": ${template} is one of Trivy's contrib templates, but ${file} does ` +
        `not exist beside ${trivy.path}; give the template's path in the workspace`,
    );
  }
  return `@${file}`;
}

/** Write the `format` report to `output` (or print it to the log). */
export async function writeFormatted(
  trivy: Trivy,
  request: FormatRequest,
  reportFile: string,
  severities: readonly Severity[],
  ignoreUnfixed: boolean,
  place: TrivyPlace,
): Promise<void> {
  const resolved = { ...request, template: resolveTemplate(request.template, trivy) };
  if (ignoreUnfixed) {
    const filtered = path.join(path.dirname(reportFile), 'trivy-report-fixed-only.json');
    fs.writeFileSync(filtered, withoutUnfixed(fs.readFileSync(reportFile, 'utf8')));
    reportFile = filtered;
  }
  if (request.output) fs.mkdirSync(path.dirname(request.output), { recursive: true });
  const result = await run(
    trivy.path,
    convertArgs(resolved, reportFile, severities, request.output),
    place,
  );
  if (!request.output) core.info(result.stdout.trimEnd());
}
