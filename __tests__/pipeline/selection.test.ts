import { mapInputs } from '../../src/inputs';
import { selectStages } from '../../src/selection';
import type { StageEntry, StageName } from '../../src/stages/types';

function fakeStage(name: StageName, available = true): StageEntry {
  return {
    name,
    available,
    load: async () => ({
      name,
      parseInputs: () => ({}),
      run: async () => ({}),
      report: () => ({ outputs: {}, summary: '' }),
    }),
  };
}

const all = [fakeStage('meta'), fakeStage('build'), fakeStage('scan'), fakeStage('deploy')];
const names = (stages: StageEntry[]) => stages.map((s) => s.name);

describe('selectStages', () => {
  it.each([
    ['auto', '', ['meta', 'build', 'scan']],
    ['', '', ['meta', 'build', 'scan']],
    ['auto', 'k8s/', ['meta', 'build', 'scan', 'deploy']],
    ['deploy, meta', '', ['meta', 'deploy']],
    ['scan\nbuild', '', ['build', 'scan']],
    ['META', '', ['meta']],
  ])('stages=%j manifests=%j runs %j in pipeline order', (stages, manifests, expected) => {
    expect(names(selectStages(mapInputs({ stages, manifests }), all))).toEqual(expected);
  });

  // A pasted k8s-deploy step: `images` are references to pin (a tag or digest, which
  // metadata-action's images never have), so auto runs deploy only.
  it.each([
    ['contoso.azurecr.io/myapp:123', 'k8s/', ['deploy']],
    [`r.io/a@sha256:${'a'.repeat(64)}\nr.io/b:2`, 'k8s/', ['deploy']],
    ['contoso.azurecr.io/myapp:123', '', ['meta', 'build', 'scan']],
    ['ghcr.io/acme/app', 'k8s/', ['meta', 'build', 'scan', 'deploy']],
    ['ghcr.io/acme/app\nr.io/b:2', 'k8s/', ['meta', 'build', 'scan', 'deploy']],
    ['name=ghcr.io/acme/app,enable=true', 'k8s/', ['meta', 'build', 'scan', 'deploy']],
  ])('auto with images=%j manifests=%j runs %j', (images, manifests, expected) => {
    expect(names(selectStages(mapInputs({ images, manifests }), all))).toEqual(expected);
  });

  it('auto skips stages that are not built yet', () => {
    const partial = [fakeStage('meta'), fakeStage('build', false), fakeStage('scan')];
    expect(names(selectStages(mapInputs({ stages: 'auto' }), partial))).toEqual(['meta', 'scan']);
  });

  it.each([
    ['bogus', /Input "stages": unknown stage "bogus"/],
    ['auto,meta', /cannot be combined/],
  ])('rejects stages=%j', (stages, message) => {
    expect(() => selectStages(mapInputs({ stages }), all)).toThrow(message);
  });

  it('naming a stage that is not built yet is an error that says so', () => {
    const partial = [fakeStage('meta'), fakeStage('build', false)];
    expect(() => selectStages(mapInputs({ stages: 'build' }), partial)).toThrow(
      /the build stage is not available/,
    );
  });
});
