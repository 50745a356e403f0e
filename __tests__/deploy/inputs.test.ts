import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { parseDeployInputs } from '../../src/stages/deploy/inputs';

const base = { manifests: 'k8s/' };
const parse = (values: Record<string, string>) =>
  parseDeployInputs(mapInputs({ ...base, ...values }));

describe('deploy inputs', () => {
  it('has the defaults users of k8s-deploy expect', () => {
    expect(parse({})).toMatchObject({
      manifests: ['k8s/'],
      namespace: '',
      images: [],
      strategy: 'rolling',
      action: 'deploy',
      trafficSplit: 'pod',
      canaryPercentage: 20,
      canaryReplicas: undefined,
      canaryBaseline: false,
      rolloutTimeoutSeconds: 300,
      rollbackOnFailure: true,
      serverSide: false,
      force: false,
      annotateResources: true,
      environment: '',
      kubeconfig: '',
    });
  });

  it.each([
    [
      'manifests as lines',
      { manifests: 'a.yaml\nk8s/\nmore/*.yml' },
      { manifests: ['a.yaml', 'k8s/', 'more/*.yml'] },
    ],
    ['k8s-deploy basic strategy', { strategy: 'basic' }, { strategy: 'rolling' }],
    [
      'canary promote',
      { strategy: 'canary', 'deploy-action': 'promote' },
      { strategy: 'canary', action: 'promote' },
    ],
    [
      'canary settings',
      {
        strategy: 'Canary',
        'traffic-split': 'smi',
        'canary-percentage': '30',
        'canary-replicas': '2',
        'canary-baseline': 'true',
      },
      { trafficSplit: 'smi', canaryPercentage: 30, canaryReplicas: 2, canaryBaseline: true },
    ],
    ['timeout with units', { 'rollout-timeout': '1m30s' }, { rolloutTimeoutSeconds: 90 }],
    ['timeout in seconds', { 'rollout-timeout': '45' }, { rolloutTimeoutSeconds: 45 }],
    [
      'images to pin',
      { 'deploy-images': 'ghcr.io/acme/app@sha256:' + 'a'.repeat(64) + '\nnginx:1.27' },
      { images: ['ghcr.io/acme/app@sha256:' + 'a'.repeat(64), 'nginx:1.27'] },
    ],
    [
      'pull secrets',
      { imagepullsecrets: 'regcred, other' },
      { imagePullSecrets: ['regcred', 'other'] },
    ],
    [
      'switches',
      {
        'rollback-on-failure': 'false',
        'server-side': 'true',
        force: 'true',
        'annotate-resources': 'false',
      },
      { rollbackOnFailure: false, serverSide: true, force: true, annotateResources: false },
    ],
    [
      'environment and token',
      { environment: 'production', 'github-token': 'ghs_x' },
      { environment: 'production', githubToken: 'ghs_x' },
    ],
  ])('%s', (_name, values, expected) => {
    expect(parse(values)).toMatchObject(expected);
  });

  it.each([
    ['missing manifests', { manifests: '' }, 'manifests', /no manifests given/],
    ['unknown strategy', { strategy: 'blue-green' }, 'strategy', /not one of rolling, canary/],
    [
      'unknown action',
      { strategy: 'canary', 'deploy-action': 'ship' },
      'deploy-action',
      /not one of deploy, promote, reject/,
    ],
    [
      'promote on rolling',
      { 'deploy-action': 'promote' },
      'deploy-action',
      /needs strategy: canary/,
    ],
    ['reject on rolling', { 'deploy-action': 'reject' }, 'deploy-action', /needs strategy: canary/],
    [
      'unknown traffic split',
      { strategy: 'canary', 'traffic-split': 'istio' },
      'traffic-split',
      /not one of pod, ingress-nginx, gateway-api, smi/,
    ],
    ['percentage 0', { 'canary-percentage': '0' }, 'canary-percentage', /from 1 to 99/],
    ['percentage 100', { 'canary-percentage': '100' }, 'canary-percentage', /from 1 to 99/],
    [
      'percentage not a number',
      { 'canary-percentage': 'half' },
      'canary-percentage',
      /from 1 to 99/,
    ],
    ['canary replicas 0', { 'canary-replicas': '0' }, 'canary-replicas', /whole number/],
    [
      'baseline with ingress-nginx',
      { 'canary-baseline': 'true', 'traffic-split': 'ingress-nginx' },
      'canary-baseline',
      /ingress-nginx/,
    ],
    [
      'baseline leaves no stable share',
      { 'canary-baseline': 'true', 'traffic-split': 'smi', 'canary-percentage': '60' },
      'canary-percentage',
      /at most 49/,
    ],
    ['bad timeout', { 'rollout-timeout': 'soon' }, 'rollout-timeout', /not a duration/],
    ['zero timeout', { 'rollout-timeout': '0s' }, 'rollout-timeout', /not a duration/],
    ['bad namespace', { namespace: 'Prod_1' }, 'namespace', /not a valid namespace/],
    ['bad image', { 'deploy-images': 'Not An Image' }, 'deploy-images', /not an image reference/],
    [
      'bad pull secret',
      { imagepullsecrets: 'Reg_Cred' },
      'imagepullsecrets',
      /not a valid Secret name/,
    ],
    ['bad boolean', { force: 'yes' }, 'force', /not a boolean/],
  ])('rejects %s', (_name, values, input, message) => {
    let error: unknown;
    try {
      parse(values);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe(input);
    expect((error as Error).message).toMatch(message);
  });
});
