// trivy-action's own test cases (test/test.bats at v0.72 pin, the inputs they set and the
// trivy command line each one stands for), run through Gantry's inputs and command builders.
// Deliberate differences: Gantry scans every severity and filters itself (the gate counts what
// it leaves out), so `severity` reaches Trivy only for the `format` report; several ignore
// files of both kinds are merged instead of refused.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Context } from '../../src/context';
import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { convertArgs } from '../../src/stages/scan/formats';
import { mergeIgnoreFiles } from '../../src/stages/scan/ignore-files';
import { parseScanInputs } from '../../src/stages/scan/inputs';
import { scanArgs, scanCommand, skipPathsFor } from '../../src/stages/scan/trivy-args';

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'trivy-action-cases-'));
const files: Record<string, string> = {
  'test/data/config-sarif-report/main.tf': 'resource "aws_s3_bucket" "b" {}\n',
  'test/data/config-scan/main.tf': 'resource "aws_s3_bucket" "b" {}\n',
  'test/data/rootfs-scan/etc/os-release': 'ID=alpine\n',
  'test/data/fs-scan/package-lock.json': '{}\n',
  'test/data/with-ignore-files/.trivyignore1': 'CVE-2019-14697\n',
  'test/data/with-ignore-files/.trivyignore2': 'CVE-2019-1549\n',
  'test/data/with-yaml-ignore-file/.trivyignore.yaml': 'vulnerabilities:\n  - id: CVE-2019-14697\n',
  'test/data/with-trivy-yaml-cfg/trivy.yaml': 'format: json\nseverity:\n  - CRITICAL\n',
  'test/data/with-tf-vars/main.tf': 'variable "x" {}\n',
  'test/data/with-tf-vars/dev.tfvars': 'x = "y"\n',
};
for (const [file, content] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(ws, file)), { recursive: true });
  fs.writeFileSync(path.join(ws, file), content);
}
const ctx = { workspace: ws } as Context;
const env = { HOME: '/home/runner', RUNNER_TEMP: '/runner/temp' };
const rel = (file: string) => path.join(ws, file);

/** Gantry's scan and `format` command lines for a pasted trivy-action `with:` block. */
function commandLines(values: Record<string, string>) {
  const inputs = parseScanInputs(mapInputs({ stages: 'scan', ...values }), ctx, env);
  const configFile = inputs.policyFiles.find((f) => f.role === 'config')?.path;
  const scan = scanArgs(
    scanCommand(
      inputs,
      { target: inputs.scanRef },
      { ignoreFile: '/work/trivyignore', configFile },
      '/work/report.json',
      ws,
    ),
  );
  const convert = inputs.format
    ? convertArgs(
        inputs.format,
        '/work/report.json',
        inputs.policy.severities,
        inputs.format.output,
      )
    : undefined;
  return { inputs, scan, convert };
}

const SWITCHES = [
  '--show-suppressed',
  '--list-all-pkgs',
  '--no-progress',
  '--skip-version-check',
  '--disable-telemetry',
  '--skip-db-update',
  '--quiet',
];

/** `flag value` pairs (or lone switches and positionals) expected in order-free form. */
function pairs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--') && !SWITCHES.includes(args[i]) && !args[i].includes('=')) {
      out.push(`${args[i]} ${args[i + 1]}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

describe("trivy-action's test cases", () => {
  it.each<[string, Record<string, string>, string[], string[] | undefined]>([
    [
      'trivy repo with securityCheck secret only',
      {
        format: 'json',
        scanners: 'secret',
        'scan-type': 'repo',
        'scan-ref': 'https://github.com/krol3/demo-trivy/',
      },
      ['repo', '--scanners secret', 'https://github.com/krol3/demo-trivy/'],
      ['convert', '--format json'],
    ],
    [
      'trivy image',
      {
        severity: 'CRITICAL',
        'scan-type': 'image',
        'scan-ref': 'knqyf263/vuln-image:1.2.3',
        output: 'image.test',
      },
      ['image', '--pkg-types os,library', 'knqyf263/vuln-image:1.2.3'],
      ['--format table', '--severity CRITICAL', `--output ${rel('image.test')}`],
    ],
    [
      'trivy config sarif report',
      { format: 'sarif', 'scan-type': 'config', 'scan-ref': './test/data/config-sarif-report' },
      ['config', rel('test/data/config-sarif-report')],
      // SARIF lists every severity unless limit-severities-for-sarif, as in trivy-action.
      ['--format sarif', '--severity UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL'],
    ],
    [
      'trivy config',
      { format: 'json', 'scan-type': 'config', 'scan-ref': './test/data/config-scan' },
      ['config', rel('test/data/config-scan')],
      ['--format json'],
    ],
    [
      'trivy rootfs',
      { 'scan-type': 'rootfs', 'scan-ref': './test/data/rootfs-scan' },
      ['rootfs', rel('test/data/rootfs-scan'), '--scanners vuln,secret'],
      undefined,
    ],
    [
      'trivy fs',
      { 'scan-type': 'fs', 'scan-ref': './test/data/fs-scan' },
      ['fs', rel('test/data/fs-scan')],
      undefined,
    ],
    [
      'trivy image with sbom output',
      { format: 'github', 'scan-type': 'image', 'scan-ref': 'knqyf263/vuln-image:1.2.3' },
      // The snapshot lists every package, so the scan keeps them.
      ['image', '--list-all-pkgs', 'knqyf263/vuln-image:1.2.3'],
      ['--format github'],
    ],
    [
      'trivy image with trivy.yaml config',
      {
        'trivy-config': './test/data/with-trivy-yaml-cfg/trivy.yaml',
        format: 'json',
        'scan-type': 'image',
        'scan-ref': 'alpine:3.10',
      },
      [`--config ${rel('test/data/with-trivy-yaml-cfg/trivy.yaml')}`, 'alpine:3.10'],
      ['--format json'],
    ],
    [
      'trivy image with custom docker-host',
      {
        severity: 'CRITICAL',
        'scan-type': 'image',
        'scan-ref': 'knqyf263/vuln-image:1.2.3',
        'docker-host': 'unix:///var/run/docker.sock',
      },
      ['--docker-host unix:///var/run/docker.sock', 'knqyf263/vuln-image:1.2.3'],
      undefined,
    ],
    [
      'trivy config with terraform variables',
      {
        format: 'json',
        severity: 'MEDIUM',
        'fail-on': 'none',
        'scan-type': 'config',
        'scan-ref': './test/data/with-tf-vars/main.tf',
        'tf-vars': './test/data/with-tf-vars/dev.tfvars',
      },
      [
        'config',
        `--tf-vars ${rel('test/data/with-tf-vars/dev.tfvars')}`,
        rel('test/data/with-tf-vars/main.tf'),
      ],
      ['--format json', '--severity MEDIUM'],
    ],
  ])('%s', (_name, values, scan, convert) => {
    const lines = commandLines(values);
    expect(pairs(lines.scan)).toEqual(expect.arrayContaining(scan));
    // Whatever the case, the gate sees every severity and Gantry's own ignore file.
    expect(pairs(lines.scan)).toEqual(
      expect.arrayContaining([
        '--severity UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL',
        '--ignorefile /work/trivyignore',
        '--format json',
      ]),
    );
    if (convert) expect(pairs(lines.convert ?? [])).toEqual(expect.arrayContaining(convert));
    else expect(lines.convert).toBeUndefined();
  });

  it('trivy image with trivyIgnores option: both files, merged', () => {
    const { inputs } = commandLines({
      severity: 'CRITICAL',
      'image-ref': 'knqyf263/vuln-image:1.2.3',
      trivyignores:
        './test/data/with-ignore-files/.trivyignore1,./test/data/with-ignore-files/.trivyignore2',
    });
    expect(inputs.scanRef).toBe('knqyf263/vuln-image:1.2.3');
    const merged = mergeIgnoreFiles(
      inputs.trivyignores.map((p) => ({ path: p, content: fs.readFileSync(p, 'utf8') })),
    );
    expect(merged.content).toMatch(/CVE-2019-14697[\s\S]*CVE-2019-1549/);
  });

  it('trivy image with .trivyignore.yaml', () => {
    const { inputs } = commandLines({
      'image-ref': 'knqyf263/vuln-image:1.2.3',
      trivyignores: './test/data/with-yaml-ignore-file/.trivyignore.yaml',
    });
    expect(inputs.policyFiles).toEqual([
      {
        role: 'ignorefile',
        input: 'trivyignores',
        path: rel('test/data/with-yaml-ignore-file/.trivyignore.yaml'),
      },
    ]);
  });

  it('error if ignorefile does not exist', () => {
    expect(() =>
      commandLines({ trivyignores: 'missing.ignore', 'scan-type': 'fs', 'scan-ref': '.' }),
    ).toThrow(new InputError('trivyignores', `${rel('missing.ignore')} does not exist`));
  });

  it('mixed YAML and plain ignore files: merged (trivy-action refuses them)', () => {
    const merged = mergeIgnoreFiles([
      { path: 'a', content: 'CVE-1\n' },
      { path: 'b.yaml', content: 'vulnerabilities:\n  - id: CVE-2\n' },
    ]);
    expect(merged.format).toBe('yaml');
    expect(merged.content).toContain('CVE-1');
    expect(merged.content).toContain('CVE-2');
  });

  // Trivy's own table (pkg/fanal/walker/fs_test.go) for skip paths given from the working
  // directory, which trivy-action runs in.
  it.each<[string, string, string]>([
    ['relative to the scanned directory', 'bar', 'bar'],
    ['relative to the workspace, inside the scanned directory', './foo/bar', 'bar'],
    ['absolute', '/abs/bar', '/abs/bar'],
  ])('skip-dirs %s', (_name, given, expected) => {
    expect(skipPathsFor([given], path.join(ws, 'foo'), ws)).toEqual([expected]);
  });
});
