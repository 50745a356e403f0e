// The deploy stage's inputs, parsed and checked before any stage runs: every value a user can
// get wrong is rejected here with the input's name, before anything is applied.
import type { Context } from '../../context';
import { readBoolean, readChoice, readList, type InputSource } from '../../inputs';
import { parseDuration } from '../../lib/duration';
import { InputError } from '../../lib/errors';
import { parseImageReference } from './image-ref';
import {
  DEPLOY_ACTIONS,
  STRATEGIES,
  TRAFFIC_SPLITS,
  type DeployInputs,
  type Strategy,
} from './model';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function readInteger(
  source: InputSource,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = source.get(name);
  if (raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new InputError(name, `"${raw}" is not a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function readStrategy(source: InputSource): Strategy {
  // k8s-deploy calls the rolling strategy `basic`; accept its word too.
  if (source.get('strategy').toLowerCase() === 'basic') return 'rolling';
  return readChoice(source, 'strategy', STRATEGIES, 'rolling');
}

export function parseDeployInputs(source: InputSource, _ctx?: Context): DeployInputs {
  const manifests = readList(source, 'manifests');
  if (manifests.length === 0) {
    throw new InputError(
      'manifests',
      'no manifests given; list files, directories or globs, one per line',
    );
  }

  const namespace = source.get('namespace');
  if (namespace !== '' && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    throw new InputError(
      'namespace',
      `"${namespace}" is not a valid namespace name (lowercase letters, digits, -)`,
    );
  }

  const images = readList(source, 'deploy-images');
  for (const image of images) {
    if (!parseImageReference(image)) {
      throw new InputError(
        'deploy-images',
        `"${image}" is not an image reference like registry/repo:tag or repo@sha256:…`,
      );
    }
  }

  const imagePullSecrets = readList(source, 'imagepullsecrets');
  for (const secret of imagePullSecrets) {
    if (!DNS_SUBDOMAIN.test(secret)) {
      throw new InputError('imagepullsecrets', `"${secret}" is not a valid Secret name`);
    }
  }

  const strategy = readStrategy(source);
  const action = readChoice(source, 'deploy-action', DEPLOY_ACTIONS, 'deploy');
  if (strategy === 'rolling' && action !== 'deploy') {
    throw new InputError(
      'deploy-action',
      `"${action}" needs strategy: canary (there is no canary to ${action} with strategy: rolling)`,
    );
  }
  const trafficSplit = readChoice(source, 'traffic-split', TRAFFIC_SPLITS, 'pod');
  const canaryPercentage = readInteger(source, 'canary-percentage', 1, 99) ?? 20;
  const canaryReplicas = readInteger(source, 'canary-replicas', 1, 10000);
  const canaryBaseline = readBoolean(source, 'canary-baseline', false);
  if (canaryBaseline && trafficSplit === 'ingress-nginx') {
    throw new InputError(
      'canary-baseline',
      'ingress-nginx routes to one canary only; use traffic-split pod, gateway-api or smi for a baseline',
    );
  }
  if (canaryBaseline && trafficSplit !== 'pod' && canaryPercentage > 49) {
    throw new InputError(
      'canary-percentage',
      `${canaryPercentage} leaves no traffic for stable with a baseline taking as much as the canary; use at most 49`,
    );
  }

  const timeoutText = source.get('rollout-timeout') || '5m';
  const rolloutTimeoutSeconds = parseDuration(timeoutText);
  if (rolloutTimeoutSeconds === undefined || rolloutTimeoutSeconds <= 0) {
    throw new InputError(
      'rollout-timeout',
      `"${timeoutText}" is not a duration like 90s, 5m or 1h`,
    );
  }

  const leaseWaitText = source.get('lease-wait') || '10m';
  const leaseWaitSeconds = parseDuration(leaseWaitText);
  if (leaseWaitSeconds === undefined || leaseWaitSeconds < 0) {
    throw new InputError('lease-wait', `"${leaseWaitText}" is not a duration like 0, 90s or 10m`);
  }

  return {
    manifests,
    namespace,
    images,
    imagePullSecrets,
    strategy,
    action,
    trafficSplit,
    canaryPercentage,
    canaryReplicas,
    canaryBaseline,
    rolloutTimeoutSeconds,
    rollbackOnFailure: readBoolean(source, 'rollback-on-failure', true),
    serverSide: readBoolean(source, 'server-side', false),
    force: readBoolean(source, 'force', false),
    annotateResources: readBoolean(source, 'annotate-resources', true),
    allowClusterScoped: readBoolean(source, 'allow-cluster-scoped', false),
    leaseWaitSeconds,
    environment: source.get('environment'),
    kubeconfig:
      source.get('kubeconfig', { trim: false }).trim() === ''
        ? ''
        : source.get('kubeconfig', { trim: false }),
    githubToken: source.get('github-token'),
  };
}
