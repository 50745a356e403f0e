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
    // `manifests` alone is a pasted k8s-deploy step: deploy only (see pastedPeerStage below).
    ['auto', 'k8s/', ['deploy']],
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
    // without manifests, images alone are metadata-action's (and meta refuses the tag)
    ['contoso.azurecr.io/myapp:123', '', ['meta']],
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

describe('stages: auto with a pasted peer step', () => {
  it.each([
    // docker/metadata-action's README example
    [{ images: 'name/app' }, ['meta']],
    [{ images: 'name/app', tags: 'type=ref,event=branch', flavor: 'latest=true' }, ['meta']],
    // docker/build-push-action's README example
    [{ push: 'true', tags: 'user/app:latest' }, ['build']],
    // aquasecurity/trivy-action's README example
    [
      { 'image-ref': 'app:1', format: 'table', 'exit-code': '1', severity: 'CRITICAL,HIGH' },
      ['scan'],
    ],
    // Azure/k8s-deploy's README example
    [{ namespace: 'myapp', manifests: 'k8s', images: 'contoso.azurecr.io/myapp:1' }, ['deploy']],
    // Gantry's own blocks mix peers or use Gantry's inputs: the whole pipeline
    [{ images: 'app', tags: 'type=sha', push: 'true' }, ['meta', 'build', 'scan']],
    [{ images: 'app', push: 'true', manifests: 'k8s' }, ['meta', 'build', 'scan', 'deploy']],
    [{ images: 'app', 'fail-on': 'HIGH' }, ['meta', 'build', 'scan']],
    // a stage's own Gantry inputs keep a block to that stage
    [{ severity: 'HIGH', 'fail-on': 'HIGH', 'trivy-db-repository': 'reg/db:2' }, ['scan']],
    [{ manifests: 'k8s', images: 'app:1', 'rollout-timeout': '2m' }, ['deploy']],
    [{ push: 'true', context: 'app', cache: 'registry' }, ['build']],
    // defaults the runner fills in are not "given"
    [{ images: 'app', 'sep-tags': '\n', 'github-token': 'ghs_x', cache: 'auto' }, ['meta']],
    [{}, ['meta', 'build', 'scan']],
  ])('%j runs %j', (inputs, expected) => {
    expect(names(selectStages(mapInputs({ stages: 'auto', ...inputs }), all))).toEqual(expected);
  });
});
