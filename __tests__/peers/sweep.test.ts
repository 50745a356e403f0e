// The sweep: every input of the four peer actions (the fixture in src/peers/peer-inputs.ts,
// names as their action.yml declares them) is either declared in Gantry's action.yml, where the
// peer table says it is honoured, or refused by the unknown-input check with a message that
// names a Gantry input to use. Each peer's test lists exactly the inputs that are neither.
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { sectionsOf } from '../../scripts/docs';
import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { parseDeployInputs } from '../../src/stages/deploy/inputs';
import { PEERS, PEER_NAMES, type PeerName } from '../../src/peers/peer-inputs';
import { clashOf, peerRows } from '../../src/peers/table';
import { assertKnownInputs } from '../../src/peers/unknown-inputs';

const ROOT = path.resolve(__dirname, '..', '..');
const actionYml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
const action = parseYaml(actionYml) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};
const declared = (name: string) => name in action.inputs;
const sections = sectionsOf(actionYml, 'inputs');

/** The owning stage's refusal of one value of a declared peer input (k8s-deploy's, so deploy). */
function stageRefusal(peer: PeerName, input: string, value: string): string | undefined {
  if (PEERS[peer].stage !== 'deploy') return `no refusal check for the ${PEERS[peer].stage} stage`;
  try {
    parseDeployInputs(mapInputs({ manifests: 'k8s/', [input]: value }));
    return undefined;
  } catch (err) {
    return err instanceof InputError && err.input === input ? err.message : String(err);
  }
}

async function refusal(name: string): Promise<string | undefined> {
  try {
    await assertKnownInputs([name]);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Why one peer input is neither honoured nor refused properly, or undefined when it is. */
async function problem(peer: PeerName, input: string): Promise<string | undefined> {
  const { row } = peerRows().find((r) => r.peer === peer && r.input === input)!;
  if (row.kind === 'refused') {
    // Declared: the owning stage accepts the no-op values and refuses the rest, naming why.
    if (declared(input)) {
      const message = stageRefusal(peer, input, 'a-value-that-changes-something');
      const missing = row.use.filter((name) => !message?.includes(name));
      if (!message?.startsWith(`Input "${input}"`) || missing.length > 0) {
        return `${input}: declared, but its stage does not refuse it naming ${missing.join(', ')} (got: ${message})`;
      }
      for (const value of row.noop ?? []) {
        const refused = stageRefusal(peer, input, value);
        if (refused !== undefined)
          return `${input}: its no-op value ${value} is refused (${refused})`;
      }
      return undefined;
    }
    const message = await refusal(input);
    const missing = row.use.filter((name) => !declared(name) || !message?.includes(name));
    if (!message?.startsWith(`Input "${input}"`) || missing.length > 0) {
      return `${input}: refused without naming ${missing.join(', ')} (got: ${message})`;
    }
    return undefined;
  }
  if (!declared(input)) return `${input}: honoured by the table (${row.kind}), not in action.yml`;
  if (row.kind === 'alias' && !declared(row.of)) return `${input}: alias of undeclared ${row.of}`;
  if ((await refusal(input)) !== undefined) return `${input}: declared, yet the check refuses it`;
  return undefined;
}

describe.each(PEER_NAMES)('%s', (peer) => {
  const { release, commit } = PEERS[peer];

  it(`has its inputs at ${release} recorded (${commit.slice(0, 12)})`, () => {
    expect(Object.keys(PEERS[peer].inputs).length).toBeGreaterThan(5);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('has every input honoured (declared in action.yml) or refused naming the replacement', async () => {
    const problems: string[] = [];
    for (const input of Object.keys(PEERS[peer].inputs)) {
      const found = await problem(peer, input);
      if (found) problems.push(found);
    }
    expect(problems).toEqual([]);
  });

  it('has every output declared in action.yml', () => {
    const missing = PEERS[peer].outputs.filter((name) => !(name in action.outputs));
    expect(missing).toEqual([]);
  });

  it('has a clash rule for each input Gantry declares for another stage', () => {
    const unruled = Object.keys(PEERS[peer].inputs).filter((input) => {
      const section = sections.get(input);
      return section && section !== PEERS[peer].stage && !clashOf(input);
    });
    expect(unruled).toEqual([]);
  });
});

it('covers the 97 inputs the four peers declare, one row each', () => {
  const rows = peerRows();
  expect(rows).toHaveLength(97);
  expect(new Set(rows.map((r) => `${r.peer} ${r.input}`)).size).toBe(97);
});
