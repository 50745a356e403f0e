// Build check findings: read from buildx's JSON (`--call check,format=json`, the lint
// subrequest's result) and from the metadata file's warnings, then placed on the Dockerfile.
import {
  checkAnnotations,
  checkVerdict,
  metadataWarnings,
  parseCheckResults,
} from '../../src/stages/build/checks';

// As BuildKit's lint subrequest marshals LintResults (warnings, sources, buildError).
const CHECK_JSON = JSON.stringify({
  warnings: [
    {
      ruleName: 'FromAsCasing',
      description: "The 'as' keyword should match the case of the 'from' keyword",
      url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
      detail: "'as' and 'FROM' keywords' casing do not match",
      location: { ranges: [{ start: { line: 1 }, end: { line: 1 } }] },
    },
    {
      ruleName: 'JSONArgsRecommended',
      detail:
        'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
      location: { sourceIndex: 0, ranges: [{ start: { line: 7 }, end: { line: 7 } }] },
    },
  ],
  sources: [{ filename: 'Dockerfile', language: 'Dockerfile', data: 'RlJPTQ==' }],
});

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('parseCheckResults', () => {
  it('reads each warning with its rule, line and Dockerfile', () => {
    const findings = parseCheckResults(CHECK_JSON)!;
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'FromAsCasing',
        message: "'as' and 'FROM' keywords' casing do not match",
        sourceFile: 'Dockerfile',
        line: 1,
        level: 'warning',
      }),
      expect.objectContaining({ rule: 'JSONArgsRecommended', line: 7 }),
    ]);
    expect(checkVerdict(findings)).toBe('Check complete, 2 warnings found');
  });

  it('reads a build error (the Dockerfile does not parse) as an error', () => {
    const findings = parseCheckResults(
      JSON.stringify({
        warnings: null,
        sources: [{ filename: 'Dockerfile.prod' }],
        buildError: {
          message: 'unknown instruction: FORM',
          location: { ranges: [{ start: { line: 2 } }] },
        },
      }),
    )!;
    expect(findings).toEqual([
      expect.objectContaining({
        level: 'error',
        message: 'unknown instruction: FORM',
        line: 2,
        sourceFile: 'Dockerfile.prod',
      }),
    ]);
    expect(checkVerdict(findings)).toBe('Check complete, 1 error found');
  });

  it('reads a clean check', () => {
    const findings = parseCheckResults('{"warnings": null, "sources": []}');
    expect(findings).toEqual([]);
    expect(checkVerdict(findings!)).toBe('Check complete, no warnings found.');
  });

  it('says undefined for text that is not the JSON', () => {
    expect(parseCheckResults('Check complete, 1 warning has been found!')).toBeUndefined();
  });
});

describe('metadataWarnings', () => {
  it('decodes buildx.build.warnings', () => {
    const metadata = {
      'buildx.build.warnings': [
        {
          vertex: 'sha256:abc',
          level: 1,
          short: b64("FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 3)"),
          detail: [b64("The 'as' keyword should match the case of the 'from' keyword")],
          url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
          sourceInfo: { filename: 'Dockerfile', data: 'RlJPTQ==' },
          range: [{ start: { line: 3 }, end: { line: 3 } }],
        },
      ],
    };
    expect(metadataWarnings(metadata)).toEqual([
      {
        rule: 'FromAsCasing',
        message: "The 'as' keyword should match the case of the 'from' keyword",
        description: "FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
        url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
        sourceFile: 'Dockerfile',
        line: 3,
        level: 'warning',
      },
    ]);
  });
  it('is empty without warnings', () => expect(metadataWarnings({})).toEqual([]));
});

describe('checkAnnotations', () => {
  const [finding] = parseCheckResults(CHECK_JSON)!;
  it.each([
    [
      'the file input',
      { file: 'docker/Dockerfile.prod', context: '.', gitSubdir: undefined },
      'docker/Dockerfile.prod',
    ],
    ['a context directory', { file: '', context: 'app', gitSubdir: undefined }, 'app/Dockerfile'],
    ['the workspace', { file: '', context: '.', gitSubdir: undefined }, 'Dockerfile'],
    [
      'the Git context subdir',
      { file: '', context: 'https://github.com/a/b.git#x:svc', gitSubdir: 'svc' },
      'svc/Dockerfile',
    ],
    [
      "another repository's Git context",
      { file: '', context: 'https://github.com/o/x.git', gitSubdir: undefined },
      undefined,
    ],
  ])('points at the Dockerfile in %s', (_what, where, file) => {
    const [annotation] = checkAnnotations([finding], where);
    expect(annotation).toEqual({
      level: 'warning',
      message:
        "'as' and 'FROM' keywords' casing do not match\nMore info: https://docs.docker.com/go/dockerfile/rule/from-as-casing/",
      properties: { title: 'Build check FromAsCasing', startLine: 1, ...(file ? { file } : {}) },
    });
  });
});
