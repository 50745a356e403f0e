import { ApiRefusal, type KubeApi } from '../../../src/stages/deploy/kube/api';
import { CLIENT_SIDE_APPLY_MANAGER } from '../../../src/stages/deploy/kube/computed-apply';
import {
  checkFieldsStrictly,
  fieldVerdict,
  strictlyCheckable,
} from '../../../src/stages/deploy/kube/strict-fields';
import type { KubeObject } from '../../../src/stages/deploy/model';

const object = (apiVersion: string, kind: string, name = 'web'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name },
});
const STRICT =
  'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogus"';

describe('strictlyCheckable: kinds the API server validates itself', () => {
  it.each([
    [[object('v1', 'ConfigMap'), object('apps/v1', 'Deployment')], true],
    [[object('networking.k8s.io/v1', 'Ingress'), object('policy/v1', 'PodDisruptionBudget')], true],
    [[object('autoscaling/v2', 'HorizontalPodAutoscaler'), object('batch/v1', 'CronJob')], true],
    // A custom resource or an aggregated API: kubectl checks per kind.
    [[object('apps/v1', 'Deployment'), object('gateway.networking.k8s.io/v1', 'HTTPRoute')], false],
    [[object('monitoring.coreos.com/v1', 'ServiceMonitor')], false],
    [[], false],
  ])('%j → %s', (objects, expected) => {
    expect(strictlyCheckable(objects)).toBe(expected);
  });
});

describe('fieldVerdict: what a dry-run create answer says of the fields', () => {
  it.each([
    ['created (a new object)', { stored: object('v1', 'ConfigMap') }, { verdict: 'passed' }],
    [
      'exists (decoded first)',
      { refused: new ApiRefusal('AlreadyExists', 'deployments.apps "web" already exists') },
      { verdict: 'passed' },
    ],
    [
      'invalid (decoded first)',
      { refused: new ApiRefusal('Invalid', 'spec.replicas: Invalid value: -1') },
      { verdict: 'passed' },
    ],
    [
      'a field the schema lacks',
      { refused: new ApiRefusal('BadRequest', STRICT) },
      { verdict: 'refused', message: `Error from server (BadRequest): ${STRICT}` },
    ],
    [
      'forbidden (RBAC, or a quota: cannot tell which)',
      { refused: new ApiRefusal('Forbidden', 'cannot create resource "deployments"') },
      {
        verdict: 'unsure',
        reason: 'Error from server (Forbidden): cannot create resource "deployments"',
      },
    ],
    [
      'another bad request (a webhook)',
      { refused: new ApiRefusal('BadRequest', 'admission webhook "x" denied the request') },
      {
        verdict: 'unsure',
        reason: 'Error from server (BadRequest): admission webhook "x" denied the request',
      },
    ],
    [
      'no namespace',
      { refused: new ApiRefusal('NotFound', 'namespaces "gone" not found') },
      { verdict: 'unsure', reason: 'Error from server (NotFound): namespaces "gone" not found' },
    ],
  ])('%s', (_name, answer, expected) => {
    expect(fieldVerdict(answer)).toEqual(expected);
  });
});

describe('checkFieldsStrictly', () => {
  type Answer = { stored?: KubeObject; refused?: ApiRefusal };
  const fakeApi = (minor: number | Error, answers: Record<string, Answer | Error>) => {
    const sent: { verb: string; name: string; query?: Record<string, string> }[] = [];
    const api: Pick<KubeApi, 'write' | 'serverMinor'> = {
      serverMinor: async () => {
        if (minor instanceof Error) throw minor;
        return minor;
      },
      write: async (verb, o, query) => {
        sent.push({ verb, name: o.metadata.name, query });
        const answer = answers[o.metadata.name];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    return { api, sent };
  };
  const send = <T>(_what: string, request: () => Promise<T>) => request();
  const batch = [object('apps/v1', 'Deployment', 'web'), object('v1', 'ConfigMap', 'cfg')];

  it("sends each object as a strict dry-run create under kubectl's field manager", async () => {
    const { api, sent } = fakeApi(36, {
      web: { refused: new ApiRefusal('AlreadyExists', 'exists') },
      cfg: { stored: batch[1] },
    });
    expect(await checkFieldsStrictly(api, batch, send)).toEqual({ verdict: 'passed' });
    const query = {
      fieldManager: CLIENT_SIDE_APPLY_MANAGER,
      fieldValidation: 'Strict',
      dryRun: 'All',
    };
    expect(sent).toEqual([
      { verb: 'create', name: 'web', query },
      { verb: 'create', name: 'cfg', query },
    ]);
  });

  it('names the object whose field is refused, ahead of another that cannot tell', async () => {
    const { api } = fakeApi(36, {
      web: { refused: new ApiRefusal('Forbidden', 'no') },
      cfg: { refused: new ApiRefusal('BadRequest', STRICT) },
    });
    expect(await checkFieldsStrictly(api, batch, send)).toEqual({
      verdict: 'refused',
      message: `ConfigMap/cfg: Error from server (BadRequest): ${STRICT}`,
    });
  });

  it.each([
    ['a failed request', 36, new Error('socket hang up'), 'Deployment/web: socket hang up'],
    [
      'a server older than field validation',
      26,
      { stored: batch[0] },
      "the API server's version (1.26) may not validate fields itself",
    ],
    [
      'an unknown server version',
      new Error('no /version'),
      { stored: batch[0] },
      "the API server's version (1.?) may not validate fields itself",
    ],
  ])('is unsure after %s', async (_name, minor, answer, reason) => {
    const { api, sent } = fakeApi(minor as number | Error, {
      web: answer as Answer | Error,
      cfg: { stored: batch[1] },
    });
    expect(await checkFieldsStrictly(api, batch, send)).toEqual({ verdict: 'unsure', reason });
    if (typeof minor !== 'number' || minor < 27) expect(sent).toEqual([]);
  });
});
