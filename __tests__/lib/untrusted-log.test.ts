// Foreign text in the log: the runner must not obey a line of it as a workflow command.
import { couldBeCommand, infoUntrusted } from '../../src/lib/untrusted-log';

/** What the runner does with printed lines: which commands it obeys (stop-commands honoured). */
function obeyed(lines: string[]): string[] {
  const commands: string[] = [];
  let resumeToken: string | undefined;
  for (const line of lines.join('\n').split(/\r\n|\r|\n/)) {
    if (resumeToken !== undefined) {
      if (line === `::${resumeToken}::`) resumeToken = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) resumeToken = stop[1];
    else if (line.trimStart().startsWith('::') || line.includes('##[')) commands.push(line.trim());
  }
  return commands;
}

function printed(lines: string | string[]): string[] {
  const out: string[] = [];
  infoUntrusted(lines, (line) => out.push(line));
  return out;
}

describe('couldBeCommand', () => {
  it.each<[string, boolean]>([
    ['label: org.opencontainers.image.description=A sample service', false],
    ['label: description=a::b', false],
    ['::error::pwned', true],
    ['   ::add-mask::860c1904', true],
    ['description=fine\n::error::pwned', true],
    ['description=fine\r::warning::pwned', true],
    ['description=##[error]legacy form', true],
    ['', false],
  ])('%j -> %s', (text, expected) => {
    expect(couldBeCommand(text)).toBe(expected);
  });
});

describe('infoUntrusted', () => {
  it('prints harmless lines as they are', () => {
    expect(printed(['tag: ghcr.io/acme/app:1.2.3', 'label: a=b'])).toEqual([
      'tag: ghcr.io/acme/app:1.2.3',
      'label: a=b',
    ]);
  });

  it.each([
    'label: description=Nice\n::error::pwned\n::add-mask::860c1904a1ce19322e91ac35af1ab07466440c37',
    'label: description=x\r\n  ::set-output name=version::9.9.9',
    'label: description=##[add-mask]860c1904',
    'label: description=\n::stop-commands::guess\n::error::after a guessed token\n::guess::\n::error::x',
  ])('the runner obeys no command in %j, and the text is printed whole', (text) => {
    const out = printed(['version: 1.2.3', text]);
    expect(obeyed(out)).toEqual([]);
    expect(out.slice(1, -1)).toEqual(['version: 1.2.3', text]);
  });

  it('uses a fresh token each time, one the text does not hold', () => {
    const first = printed('::error::a')[0];
    const second = printed('::error::a')[0];
    expect(first).toMatch(/^::stop-commands::[0-9a-f-]{36}$/);
    expect(first).not.toBe(second);
  });

  it('prints nothing for no lines', () => {
    expect(printed([])).toEqual([]);
  });
});
