import {
  FORMATS,
  convertArgs,
  formatNeedsPackages,
  withoutUnfixed,
} from '../../src/stages/scan/formats';
import type { FormatRequest } from '../../src/stages/scan/inputs';

const request = (over: Partial<FormatRequest>): FormatRequest => ({
  format: 'table',
  template: '',
  output: '',
  limitSeveritiesForSarif: false,
  ...over,
});

describe('the format report', () => {
  it.each<[string, Partial<FormatRequest>, string[]]>([
    [
      'table to the log',
      {},
      ['convert', '--format', 'table', '--severity', 'HIGH,CRITICAL', 'r.json'],
    ],
    [
      'json to a file',
      { format: 'json', output: '/ws/t.json' },
      [
        'convert',
        '--format',
        'json',
        '--severity',
        'HIGH,CRITICAL',
        '--output',
        '/ws/t.json',
        'r.json',
      ],
    ],
    [
      'sarif keeps every severity (trivy-action)',
      { format: 'sarif' },
      ['convert', '--format', 'sarif', '--severity', 'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL', 'r.json'],
    ],
    [
      'sarif limited to severity',
      { format: 'sarif', limitSeveritiesForSarif: true },
      ['convert', '--format', 'sarif', '--severity', 'HIGH,CRITICAL', 'r.json'],
    ],
    [
      'template',
      { format: 'template', template: '@/ws/html.tpl' },
      [
        'convert',
        '--format',
        'template',
        '--template',
        '@/ws/html.tpl',
        '--severity',
        'HIGH,CRITICAL',
        'r.json',
      ],
    ],
  ])('%s', (_name, over, args) => {
    expect(
      convertArgs(request(over), 'r.json', ['HIGH', 'CRITICAL'], request(over).output),
    ).toEqual(args);
  });

  it.each(
    FORMATS.map((f) => [f, ['cyclonedx', 'spdx', 'spdx-json', 'github'].includes(f)] as const),
  )('%s needs every package in the scan: %s', (format, needed) => {
    expect(formatNeedsPackages(format)).toBe(needed);
  });

  it('leaves unfixed vulnerabilities out for ignore-unfixed', () => {
    const json = JSON.stringify({
      Results: [
        {
          Vulnerabilities: [
            { VulnerabilityID: 'A', Status: 'fixed', FixedVersion: '2' },
            { VulnerabilityID: 'B', Status: 'affected' },
            { VulnerabilityID: 'C', FixedVersion: '3' },
            { VulnerabilityID: 'D' },
          ],
        },
        {},
      ],
    });
    const ids = JSON.parse(withoutUnfixed(json)).Results[0].Vulnerabilities.map(
      (v: { VulnerabilityID: string }) => v.VulnerabilityID,
    );
    expect(ids).toEqual(['A', 'C']);
  });
});
