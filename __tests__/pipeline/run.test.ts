import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadContext } from '../../src/context';
import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { runPipeline, type PipelineSink } from '../../src/pipeline';
import { deployStage } from '../../src/stages/deploy';
import type { AnyStage, StageEntry, StageName } from '../../src/stages/types';

const sink: PipelineSink = {
  stageDone: async () => undefined,
  group: (_title, fn) => fn(),
  backgroundDone: () => undefined,
};

/** A stage that records when it ran; `prepare` can be made to fail like a bad manifest. */
function recordingStage(name: StageName, ran: string[], prepareFails = false): StageEntry {
  const stage: AnyStage = {
    name,
    parseInputs: () => ({}),
    prepare: async (inputs) => {
      if (prepareFails) throw new InputError('manifests', 'k8s/missing.yaml: no such file');
      return inputs;
    },
    run: async () => {
      ran.push(name);
      return {};
    },
    report: () => ({ outputs: {}, summary: '' }),
  };
  return { name, available: true, load: async () => stage };
}

describe('runPipeline', () => {
  it('fails on a stage prepare error before any stage runs (nothing is built or pushed)', async () => {
    const ran: string[] = [];
    const stages = [
      recordingStage('meta', ran),
      recordingStage('build', ran),
      recordingStage('deploy', ran, true),
    ];
    await expect(
      runPipeline(mapInputs({ stages: 'meta,build,deploy' }), loadContext({}), sink, stages),
    ).rejects.toThrow(/Input "manifests": k8s\/missing.yaml/);
    expect(ran).toEqual([]);
  });

  it('runs every stage in order when preparation passes', async () => {
    const ran: string[] = [];
    const stages = [recordingStage('meta', ran), recordingStage('build', ran)];
    await runPipeline(mapInputs({ stages: 'build,meta' }), loadContext({}), sink, stages);
    expect(ran).toEqual(['meta', 'build']);
  });

  // A later stage may start read-only work once what it needs is there (deploy's dry run once
  // the build's digest is known): it is called after each earlier stage that passed, with the
  // results so far, and its run gets the inputs it returned.
  it('calls a later stage ahead after each earlier stage, until one fails the job', async () => {
    const calls: string[] = [];
    const stage = (name: StageName, failure?: string): AnyStage => ({
      name,
      parseInputs: () => ({ seen: [] as string[] }),
      ahead: (inputs: { seen: string[] }, _ctx, results) => {
        calls.push(`${name} ahead after ${Object.keys(results).join('+')}`);
        return { seen: [...inputs.seen, ...Object.keys(results)] };
      },
      run: async (inputs: { seen: string[] }) => {
        calls.push(`${name} runs, saw ${inputs.seen.join(',') || 'nothing'}`);
        return {};
      },
      report: () => ({ outputs: {}, summary: '', failure }),
    });
    const entries = (stages: AnyStage[]): StageEntry[] =>
      stages.map((s) => ({ name: s.name, available: true, load: async () => s }));
    await runPipeline(
      mapInputs({ stages: 'build,scan,deploy' }),
      loadContext({}),
      sink,
      entries([stage('build'), stage('scan'), stage('deploy')]),
    );
    expect(calls).toEqual([
      'build runs, saw nothing',
      'scan ahead after build',
      'deploy ahead after build',
      'scan runs, saw build',
      'deploy ahead after build+scan',
      'deploy runs, saw build,build,scan',
    ]);

    calls.length = 0;
    await runPipeline(
      mapInputs({ stages: 'build,scan,deploy' }),
      loadContext({}),
      sink,
      entries([stage('build'), stage('scan', 'scan gate: 1 CRITICAL'), stage('deploy')]),
    );
    expect(calls).toEqual([
      'build runs, saw nothing',
      'scan ahead after build',
      'deploy ahead after build',
      'scan runs, saw build',
    ]);
  });

  // A stage may hand part of its result over before it ends (the build's pushed image, before
  // its size lookup): the later stages' ahead sees it at once, while the stage still runs.
  it("passes a stage's early result to the later stages ahead, before the stage ends", async () => {
    const calls: string[] = [];
    const build: AnyStage = {
      name: 'build',
      parseInputs: () => ({}),
      run: async (_inputs, _ctx, _previous, early) => {
        early?.({ image: 'registry/app@sha256:1' });
        calls.push('build ends');
        return { image: 'registry/app@sha256:1', sizeBytes: 10 };
      },
      report: () => ({ outputs: {}, summary: '' }),
    };
    const deploy: AnyStage = {
      name: 'deploy',
      parseInputs: () => ({}),
      ahead: (inputs, _ctx, results) => {
        calls.push(`deploy ahead with ${JSON.stringify(results.build)}`);
        return inputs;
      },
      run: async () => ({}),
      report: () => ({ outputs: {}, summary: '' }),
    };
    await runPipeline(
      mapInputs({ stages: 'build,deploy' }),
      loadContext({}),
      sink,
      [build, deploy].map((s) => ({ name: s.name, available: true, load: async () => s })),
    );
    expect(calls).toEqual([
      'deploy ahead with {"image":"registry/app@sha256:1"}',
      'build ends',
      'deploy ahead with {"image":"registry/app@sha256:1","sizeBytes":10}',
    ]);
  });

  // A stage's background work (build's cache export) runs beside the later stages, and the
  // pipeline ends only once it has, reporting how it went even when a later stage failed the job.
  it.each([
    ['the later stage passes', undefined],
    ['the later stage fails the job', 'scan gate: 1 CRITICAL'],
  ])('waits for background work to end: %s', async (_name, failure) => {
    const events: string[] = [];
    let finish: () => void = () => undefined;
    const exported = new Promise<{ message: string; failed: boolean }>((resolve) => {
      finish = () => {
        events.push('export ends');
        resolve({ message: 'cache exported', failed: false });
      };
    });
    const build: AnyStage = {
      name: 'build',
      parseInputs: () => ({}),
      run: async () => ({}),
      report: () => ({ outputs: {}, summary: '' }),
      background: () => exported,
    };
    const scan: AnyStage = {
      name: 'scan',
      parseInputs: () => ({}),
      run: async () => {
        events.push('scan runs');
        setTimeout(finish, 20);
        return {};
      },
      report: () => ({ outputs: {}, summary: '', failure }),
    };
    const entries: StageEntry[] = [build, scan].map((stage) => ({
      name: stage.name,
      available: true,
      load: async () => stage,
    }));
    const outcome = await runPipeline(
      mapInputs({ stages: 'build,scan' }),
      loadContext({}),
      {
        ...sink,
        backgroundDone: (name, done) => events.push(`${name}: ${done.message}`),
      },
      entries,
    );
    expect(outcome.failure).toBe(failure);
    expect(events).toEqual(['scan runs', 'export ends', 'build: cache exported']);
  });
});

describe('deploy prepare', () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gantry-prepare-'));
  const ctx = { ...loadContext({}), workspace };
  const inputs = (manifests: string) =>
    deployStage.parseInputs(mapInputs({ stages: 'deploy', manifests }), ctx);

  it.each([
    ['k8s/missing.yaml', /Input "manifests": k8s\/missing.yaml: no such file or directory/],
    ['bad.yaml', /Input "manifests": bad.yaml:\d+:\d+: invalid YAML/],
  ])('rejects manifests=%j before anything runs', async (manifests, message) => {
    fs.writeFileSync(path.join(workspace, 'bad.yaml'), 'kind: [Deployment\n');
    await expect(deployStage.prepare!(inputs(manifests), ctx)).rejects.toThrow(message);
  });

  it('reads the manifests once, for run to use', async () => {
    fs.writeFileSync(
      path.join(workspace, 'app.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n',
    );
    const prepared = await deployStage.prepare!(inputs('app.yaml'), ctx);
    expect(prepared.loaded?.manifests.map((m) => m.object.kind)).toEqual(['ConfigMap']);
  });

  // A Deployment and the Service that selects it, and no routing object.
  const web = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web}',
    'spec:',
    '  selector: {matchLabels: {app: web}}',
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: web:1}]}',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: web}',
    'spec: {selector: {app: web}, ports: [{port: 80}]}',
    '',
  ].join('\n');

  it.each<[string, RegExp | undefined]>([
    ['service', undefined],
    ['smi', undefined],
    ['gateway-api', /Input "manifests": route-method gateway-api needs an HTTPRoute .* add one/],
    ['ingress', /Input "manifests": route-method ingress needs an Ingress .* add one/],
  ])(
    'blue-green by route-method %s: the routing object is checked for before anything runs',
    async (method, message) => {
      fs.writeFileSync(path.join(workspace, 'web.yaml'), web);
      const parsed = deployStage.parseInputs(
        mapInputs({
          stages: 'deploy',
          manifests: 'web.yaml',
          strategy: 'blue-green',
          'route-method': method,
        }),
        ctx,
      );
      const prepared = deployStage.prepare!(parsed, ctx);
      if (message) await expect(prepared).rejects.toThrow(message);
      else await expect(prepared).resolves.toMatchObject({ routeMethod: method });
    },
  );
});
