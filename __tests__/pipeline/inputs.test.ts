import { mapInputs, parseList, readBoolean, readChoice } from '../../src/inputs';

describe('parseList', () => {
  it.each([
    ['', {}, []],
    ['a,b\nc', {}, ['a', 'b', 'c']],
    ['  a , b  \n\n', {}, ['a', 'b']],
    ['"name=x,enable=true",y', {}, ['name=x,enable=true', 'y']],
    [
      'type=ref,event=branch\ntype=sha',
      { ignoreComma: true },
      ['type=ref,event=branch', 'type=sha'],
    ],
    ['a\n# a comment\nb', {}, ['a', 'b']],
  ])('%j %j -> %j', (raw, options, expected) => {
    expect(parseList(raw, 'x', options)).toEqual(expected);
  });
});

describe('readBoolean', () => {
  it.each([
    ['true', true],
    ['False', false],
    ['', true],
  ])('%j -> %j', (value, expected) => {
    expect(readBoolean(mapInputs({ push: value }), 'push', true)).toBe(expected);
  });

  it('names the input and the accepted words', () => {
    expect(() => readBoolean(mapInputs({ push: 'yes' }), 'push', false)).toThrow(
      'Input "push": "yes" is not a boolean; use true or false',
    );
  });
});

describe('readChoice', () => {
  const choices = ['rolling', 'canary'] as const;
  it('matches case-insensitively and falls back when empty', () => {
    expect(readChoice(mapInputs({ strategy: 'Canary' }), 'strategy', choices, 'rolling')).toBe(
      'canary',
    );
    expect(readChoice(mapInputs({}), 'strategy', choices, 'rolling')).toBe('rolling');
  });
  it('lists the choices in the error', () => {
    expect(() =>
      readChoice(mapInputs({ strategy: 'blue' }), 'strategy', choices, 'rolling'),
    ).toThrow('Input "strategy": "blue" is not one of rolling, canary');
  });
});

describe('mapInputs', () => {
  it('keeps whitespace only when asked (separators like a newline)', () => {
    const source = mapInputs({ 'sep-tags': '\n' });
    expect(source.get('sep-tags')).toBe('');
    expect(source.get('sep-tags', { trim: false })).toBe('\n');
  });
});
