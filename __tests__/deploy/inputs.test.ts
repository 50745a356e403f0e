import { mapInputs } from '../../src/inputs';
import { InputError } from '../../src/lib/errors';
import { parseDeployInputs } from '../../src/stages/deploy/inputs';

const base = { manifests: 'k8s/' };
const parse = (values: Record<string, string>) =>
  parseDeployInputs(mapInputs({ ...base, ...values }));

function expectInputError(fn: () => unknown, input: string, message: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).input).toBe(input);
  expect((error as Error).message).toMatch(message);
}

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
    [
      'upper-case registry host',
      { 'deploy-images': 'Registry.Example.com/acme/app:1' },
      { images: ['Registry.Example.com/acme/app:1'] },
    ],
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
    ['unknown strategy', { strategy: 'red-black' }, 'strategy', /not one of rolling, canary/],
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
    expectInputError(() => parse(values), input, message);
  });
});

const DIGEST = `sha256:${'a'.repeat(64)}`;

// Azure/k8s-deploy's inputs, pasted into a Gantry step: each works with k8s-deploy's meaning, or
// fails before anything runs naming the input and what to use instead.
describe('k8s-deploy inputs', () => {
  const deployOnly = { stages: 'deploy' };

  it.each([
    ['action deploy', { action: 'deploy' }, { action: 'deploy' }],
    ['action promote', { strategy: 'canary', action: 'promote' }, { action: 'promote' }],
    ['action reject', { strategy: 'canary', action: 'REJECT' }, { action: 'reject' }],
    [
      'action and deploy-action agree',
      { strategy: 'canary', action: 'promote', 'deploy-action': 'promote' },
      { action: 'promote' },
    ],
    ['strategy basic', { strategy: 'basic' }, { strategy: 'rolling' }],
    [
      'manifests separated by ; , and lines',
      { manifests: 'a.yaml;b.yaml, c.yaml\nk8s/' },
      { manifests: ['a.yaml', 'b.yaml', 'c.yaml', 'k8s/'] },
    ],
    ['strategy canary', { strategy: 'canary' }, { strategy: 'canary' }],
    [
      'images with stages: deploy',
      { ...deployOnly, images: 'contoso.azurecr.io/myapp:123\n127.0.0.1:5000/acme/app@' + DIGEST },
      { images: ['contoso.azurecr.io/myapp:123', '127.0.0.1:5000/acme/app@' + DIGEST] },
    ],
    [
      'images with stages: auto, manifests and tagged references (a k8s-deploy step)',
      { stages: 'auto', images: 'contoso.azurecr.io/myapp:123' },
      { images: ['contoso.azurecr.io/myapp:123'] },
    ],
    [
      'images with stages build,deploy (meta does not run)',
      { stages: 'build,deploy', images: 'contoso.azurecr.io/myapp:1' },
      { images: ['contoso.azurecr.io/myapp:1'] },
    ],
    [
      'images is meta’s when meta runs',
      { stages: 'meta,deploy', images: 'ghcr.io/acme/app' },
      { images: [] },
    ],
    [
      'images and deploy-images agree',
      { ...deployOnly, images: 'r.io/app:1', 'deploy-images': 'r.io/app:1' },
      { images: ['r.io/app:1'] },
    ],
    [
      'deploy-images beside meta’s images',
      { stages: 'meta,deploy', images: 'ghcr.io/acme/app', 'deploy-images': 'r.io/app:1' },
      { images: ['r.io/app:1'] },
    ],
    ['percentage', { percentage: '30' }, { canaryPercentage: 30 }],
    [
      'percentage and canary-percentage agree',
      { percentage: '30', 'canary-percentage': '30' },
      { canaryPercentage: 30 },
    ],
    [
      'baseline-and-canary-replicas',
      { 'baseline-and-canary-replicas': '2' },
      { canaryReplicas: 2 },
    ],
    ['traffic-split-method pod', { 'traffic-split-method': 'pod' }, { trafficSplit: 'pod' }],
    ['traffic-split-method smi', { 'traffic-split-method': 'SMI' }, { trafficSplit: 'smi' }],
    ['timeout with a unit', { timeout: '10m' }, { rolloutTimeoutSeconds: 600 }],
    ['timeout in seconds', { timeout: '30s' }, { rolloutTimeoutSeconds: 30 }],
    ['timeout upper-case unit', { timeout: '2H' }, { rolloutTimeoutSeconds: 7200 }],
    ['timeout bare number is minutes', { timeout: '15' }, { rolloutTimeoutSeconds: 900 }],
    ['timeout with a fraction', { timeout: '0.5m' }, { rolloutTimeoutSeconds: 30 }],
    ['timeout Go style', { timeout: '5m0s' }, { rolloutTimeoutSeconds: 300 }],
    [
      'rollout-timeout wins over timeout (trivy-action’s too)',
      { timeout: '10m', 'rollout-timeout': '90s' },
      { rolloutTimeoutSeconds: 90 },
    ],
    ['token', { token: 'ghp_peer' }, { githubToken: 'ghp_peer' }],
    [
      'token wins over github-token (which always has the runner’s default)',
      { token: 'ghp_peer', 'github-token': 'ghs_default' },
      { githubToken: 'ghp_peer' },
    ],
    ['pull-images false', { 'pull-images': 'false' }, {}],
    ['annotate-namespace', { 'annotate-namespace': 'true' }, { annotateNamespace: true }],
    ['annotate-namespace default', {}, { annotateNamespace: false }],
    ['skip-tls-verify', { 'skip-tls-verify': 'true' }, { skipTlsVerify: true }],
    ['skip-tls-verify default', {}, { skipTlsVerify: false }],
    [
      'traffic-split-annotations with smi',
      {
        strategy: 'canary',
        'traffic-split-method': 'smi',
        'traffic-split-annotations': 'example.com/owner=team-a\nnote=canary run',
      },
      { trafficSplitAnnotations: { 'example.com/owner': 'team-a', note: 'canary run' } },
    ],
    ['force', { force: 'true' }, { force: true }],
    ['server-side', { 'server-side': 'true' }, { serverSide: true }],
    ['annotate-resources', { 'annotate-resources': 'false' }, { annotateResources: false }],
    ['route-method at its default', { 'route-method': 'service' }, {}],
    [
      'blue-green switches Services by default',
      { strategy: 'blue-green' },
      { routeMethod: 'service' },
    ],
    ...(['service', 'ingress', 'gateway-api', 'smi'] as const).map(
      (method): [string, Record<string, string>, object] => [
        `blue-green by route-method ${method}`,
        { strategy: 'blue-green', 'route-method': method.toUpperCase() },
        { strategy: 'blue-green', routeMethod: method },
      ],
    ),
    [
      'traffic-split-annotations with blue-green by smi',
      { strategy: 'blue-green', 'route-method': 'smi', 'traffic-split-annotations': 'a=b' },
      { trafficSplitAnnotations: { a: 'b' } },
    ],
    [
      "k8s-deploy's traffic-split-method at its default beside blue-green",
      { strategy: 'blue-green', 'traffic-split-method': 'pod' },
      { routeMethod: 'service' },
    ],
    ['version-switch-buffer at its default', { 'version-switch-buffer': '0' }, {}],
    ['private-cluster false', { 'private-cluster': 'false' }, {}],
    [
      'resource-type at its default',
      { 'resource-type': 'Microsoft.ContainerService/managedClusters' },
      {},
    ],
    ['namespace', { namespace: 'myapp' }, { namespace: 'myapp' }],
    [
      'imagepullsecrets as lines',
      { imagepullsecrets: 'image-pull-secret1\nimage-pull-secret2' },
      { imagePullSecrets: ['image-pull-secret1', 'image-pull-secret2'] },
    ],
  ])('%s', (_name, values, expected) => {
    expect(parse(values)).toMatchObject(expected);
  });

  it.each([
    [
      'action and deploy-action disagree',
      { strategy: 'canary', action: 'promote', 'deploy-action': 'reject' },
      'action',
      /"promote" disagrees with deploy-action "reject".*set only deploy-action/,
    ],
    ['unknown action', { action: 'rollback' }, 'action', /not one of deploy, promote, reject/],
    [
      'a manifest URL',
      { manifests: 'k8s/\nhttps://raw.example.com/app/deployment.yaml' },
      'manifests',
      /is a URL.*download it in an earlier step/,
    ],
    [
      'promote with strategy basic',
      { strategy: 'basic', action: 'promote' },
      'action',
      /needs strategy: canary.*strategy: basic/,
    ],
    [
      'an unknown route-method with blue-green',
      { strategy: 'blue-green', 'route-method': 'istio' },
      'route-method',
      /"istio" is not one of service, ingress, gateway-api, smi/,
    ],
    [
      "a canary's traffic-split beside blue-green",
      { strategy: 'blue-green', 'traffic-split': 'gateway-api' },
      'traffic-split',
      /splits a canary's traffic; blue-green moves all of it at once by route-method/,
    ],
    [
      "k8s-deploy's traffic-split-method beside blue-green",
      { strategy: 'blue-green', 'traffic-split-method': 'smi' },
      'traffic-split-method',
      /remove traffic-split-method/,
    ],
    [
      'canary-baseline beside blue-green',
      { strategy: 'blue-green', 'canary-baseline': 'true' },
      'canary-baseline',
      /blue-green runs no baseline/,
    ],
    [
      'traffic-split-annotations beside blue-green by ingress',
      { strategy: 'blue-green', 'route-method': 'ingress', 'traffic-split-annotations': 'a=b' },
      'traffic-split-annotations',
      /route-method is ingress; set route-method: smi/,
    ],
    [
      'route-method beside a canary',
      { strategy: 'canary', 'route-method': 'smi' },
      'route-method',
      /applies to strategy: blue-green/,
    ],
    [
      'version-switch-buffer beside rolling',
      { 'version-switch-buffer': '15' },
      'version-switch-buffer',
      /applies to strategy: blue-green/,
    ],
    [
      'version-switch-buffer over 300 minutes',
      { strategy: 'blue-green', 'version-switch-buffer': '301' },
      'version-switch-buffer',
      /whole number from 0 to 300/,
    ],
    [
      'private-cluster',
      { 'private-cluster': 'true' },
      'private-cluster',
      /az aks command invoke.*azure\/aks-set-context/,
    ],
    [
      'resource-group',
      { 'resource-group': 'yourResourceGroup' },
      'resource-group',
      /azure\/aks-set-context/,
    ],
    ['name', { name: 'yourClusterName' }, 'name', /cluster-name/],
    [
      'resource-type fleets',
      { 'resource-type': 'Microsoft.ContainerService/fleets' },
      'resource-type',
      /each member cluster/,
    ],
    ['pull-images true', { 'pull-images': 'true' }, 'pull-images', /does not pull images/],
    [
      'images and deploy-images disagree',
      { ...deployOnly, images: 'r.io/app:1', 'deploy-images': 'r.io/app:2' },
      'images',
      /disagrees with deploy-images.*set only deploy-images/,
    ],
    [
      'images not a reference with stages: deploy',
      { ...deployOnly, images: 'name=ghcr.io/acme/app,enable=true' },
      'images',
      /not an image reference.*without the meta stage/,
    ],
    [
      'images upper-case path',
      { ...deployOnly, images: 'ghcr.io/Acme/app:1' },
      'images',
      /not an image reference/,
    ],
    [
      'percentage and canary-percentage disagree',
      { percentage: '30', 'canary-percentage': '20' },
      'percentage',
      /disagrees with canary-percentage/,
    ],
    ['percentage 0 (k8s-deploy’s default)', { percentage: '0' }, 'percentage', /from 1 to 99/],
    ['percentage 100', { percentage: '100' }, 'percentage', /from 1 to 99/],
    [
      'baseline-and-canary-replicas 0',
      { 'baseline-and-canary-replicas': '0' },
      'baseline-and-canary-replicas',
      /whole number from 1/,
    ],
    [
      'baseline-and-canary-replicas and canary-replicas disagree',
      { 'baseline-and-canary-replicas': '1', 'canary-replicas': '3' },
      'baseline-and-canary-replicas',
      /disagrees with canary-replicas/,
    ],
    [
      'traffic-split-method and traffic-split disagree',
      { 'traffic-split-method': 'smi', 'traffic-split': 'pod' },
      'traffic-split-method',
      /disagrees with traffic-split/,
    ],
    [
      'unknown traffic-split-method',
      { 'traffic-split-method': 'mesh' },
      'traffic-split-method',
      /not one of pod/,
    ],
    ['timeout not a duration', { timeout: '30 s' }, 'timeout', /not a duration/],
    ['timeout zero', { timeout: '0m' }, 'timeout', /not a duration/],
    ['timeout negative', { timeout: '-5m' }, 'timeout', /not a duration/],
    [
      'traffic-split-annotations without smi',
      { 'traffic-split-annotations': 'a=b' },
      'traffic-split-annotations',
      /SMI TrafficSplit.*traffic-split is pod/,
    ],
    [
      'traffic-split-annotations not key=value',
      { 'traffic-split': 'smi', 'traffic-split-annotations': 'just words' },
      'traffic-split-annotations',
      /not an annotation/,
    ],
    ['skip-tls-verify not a boolean', { 'skip-tls-verify': 'yes' }, 'skip-tls-verify', /boolean/],
    [
      'annotate-namespace not a boolean',
      { 'annotate-namespace': 'sometimes' },
      'annotate-namespace',
      /boolean/,
    ],
  ])('rejects %s', (_name, values, input, message) => {
    expectInputError(() => parse(values), input, message);
  });
});
