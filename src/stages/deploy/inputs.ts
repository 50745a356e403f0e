// The deploy stage's inputs, parsed and checked before any stage runs: every value a user can
// get wrong is rejected here with the input's name, before anything is applied.
import type { Context } from '../../context';
import { parseList, readBoolean, readChoice, readList, type InputSource } from '../../inputs';
import { parseDuration } from '../../lib/duration';
import { InputError } from '../../lib/errors';
import { parseImageReference } from '../../lib/image-reference';
import { selectedStageNames } from '../../selection';
import {
  DEPLOY_ACTIONS,
  ROUTE_METHODS,
  STRATEGIES,
  TRAFFIC_SPLITS,
  type DeployInputs,
  type RouteMethod,
  type Strategy,
} from './model';
import { refusedPeerInputs } from '../../peers/table';
import { readProgressive } from './progressive/inputs';
import { K8S_DEPLOY_ALIASES } from './peer-inputs';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** An input value and the name it was given under (a Gantry input or k8s-deploy's alias). */
interface Named {
  name: string;
  value: string;
}

/**
 * A Gantry input or its k8s-deploy alias, resolved by the alias table: the one that is set, or
 * for both, the table's rule (fail when they disagree, or one of them wins).
 */
function readAliased(source: InputSource, gantry: string): Named {
  const alias = K8S_DEPLOY_ALIASES.find((a) => a.gantry === gantry);
  const own: Named = { name: gantry, value: source.get(gantry) };
  if (!alias) return own;
  const peer: Named = { name: alias.peer, value: source.get(alias.peer) };
  if (peer.value === '') return own;
  if (own.value === '' || alias.clash === 'peer-wins') return peer;
  if (alias.clash === 'gantry-wins') return own;
  const same = (a: string) => parseList(a, gantry).join('\n').toLowerCase();
  if (same(peer.value) !== same(own.value)) {
    throw new InputError(
      alias.peer,
      `"${peer.value}" disagrees with ${gantry} "${own.value}" (${alias.peer} is k8s-deploy's name for ${gantry}); set only ${gantry}`,
    );
  }
  return own;
}

/** A view of the source where `name` reads the given value (for the shared readers). */
function sourceOf(named: Named): InputSource {
  return { get: (name) => (name === named.name ? named.value : '') };
}

function readInteger(named: Named, min: number, max: number): number | undefined {
  const raw = named.value;
  if (raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new InputError(named.name, `"${raw}" is not a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function readStrategy(source: InputSource): Strategy {
  const value = source.get('strategy').toLowerCase();
  // k8s-deploy calls the rolling strategy `basic`; accept its word too.
  if (value === 'basic') return 'rolling';
  return readChoice(source, 'strategy', STRATEGIES, 'rolling');
}

interface BlueGreenInputs {
  routeMethod: RouteMethod;
  versionSwitchBufferMinutes: number;
}

/**
 * k8s-deploy's blue-green inputs: `route-method` and `version-switch-buffer` (minutes, 0 to
 * 300), refused beside another strategy; and the canary's routing inputs refused beside
 * blue-green, where they would be ignored.
 */
function readBlueGreen(source: InputSource, strategy: Strategy): BlueGreenInputs {
  const route = source.get('route-method').toLowerCase();
  const buffer = source.get('version-switch-buffer');
  if (strategy !== 'blue-green') {
    if (route !== '' && route !== 'service')
      throw new InputError(
        'route-method',
        `applies to strategy: blue-green (strategy is ${strategy})`,
      );
    if (buffer !== '' && buffer !== '0')
      throw new InputError(
        'version-switch-buffer',
        `applies to strategy: blue-green (strategy is ${strategy})`,
      );
    return { routeMethod: 'service', versionSwitchBufferMinutes: 0 };
  }
  const splitInput = readAliased(source, 'traffic-split');
  if (splitInput.value !== '' && splitInput.value.toLowerCase() !== 'pod')
    throw new InputError(
      splitInput.name,
      `"${splitInput.value}" splits a canary's traffic; blue-green moves all of it at once by route-method (${ROUTE_METHODS.join(', ')}): remove ${splitInput.name}`,
    );
  if (readBoolean(source, 'canary-baseline', false))
    throw new InputError(
      'canary-baseline',
      'blue-green runs no baseline: green is judged on its own, and blue serves beside it; remove canary-baseline',
    );
  return {
    routeMethod: readChoice(source, 'route-method', ROUTE_METHODS, 'service'),
    versionSwitchBufferMinutes:
      readInteger({ name: 'version-switch-buffer', value: buffer }, 0, 300) ?? 0,
  };
}

/** k8s-deploy inputs for what Gantry does not do: only their no-op values are accepted. */
function refuseUnsupported(source: InputSource): void {
  for (const { input, row } of refusedPeerInputs('Azure/k8s-deploy')) {
    const value = source.get(input);
    if (value !== '' && !(row.noop ?? []).includes(value.toLowerCase())) {
      throw new InputError(input, `"${value}" is not supported: ${row.why}; ${row.instead}`);
    }
  }
}

/** The images to pin: `deploy-images`, or k8s-deploy's `images` when the meta stage does not run. */
function readImages(source: InputSource, metaRuns: boolean): { name: string; images: string[] } {
  const named = metaRuns
    ? { name: 'deploy-images', value: source.get('deploy-images') }
    : readAliased(source, 'deploy-images');
  const images = parseList(named.value, named.name);
  for (const image of images) {
    if (!parseImageReference(image)) {
      const why =
        named.name === 'images'
          ? ' (without the meta stage, images are the images to pin, as in k8s-deploy)'
          : '';
      throw new InputError(
        named.name,
        `"${image}" is not an image reference like registry/repo:tag or repo@sha256:…${why}`,
      );
    }
  }
  return { name: named.name, images };
}

const ANNOTATION_KEY =
  /^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** `key=value` annotations for the SMI TrafficSplit, one per line or comma separated. */
function readTrafficSplitAnnotations(source: InputSource): Record<string, string> {
  const name = 'traffic-split-annotations';
  const annotations: Record<string, string> = {};
  for (const entry of readList(source, name)) {
    const at = entry.indexOf('=');
    const key = entry.slice(0, Math.max(at, 0)).trim();
    if (at <= 0 || !ANNOTATION_KEY.test(key)) {
      throw new InputError(
        name,
        `"${entry}" is not an annotation like example.com/owner=team-a (key=value, one per line)`,
      );
    }
    annotations[key] = entry.slice(at + 1).trim();
  }
  return annotations;
}

export function parseDeployInputs(source: InputSource, _ctx?: Context): DeployInputs {
  refuseUnsupported(source);
  // k8s-deploy also separates manifests with `;`.
  const manifests = readList(source, 'manifests').flatMap((item) =>
    item
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  const url = manifests.find((item) => /^https?:\/\//i.test(item));
  if (url) {
    throw new InputError(
      'manifests',
      `"${url}" is a URL; Gantry reads manifests from the workspace only (k8s-deploy fetched URLs): download it in an earlier step (e.g. curl -fsSLO) and list the file`,
    );
  }
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

  const metaRuns = selectedStageNames(source).includes('meta');
  const { images } = readImages(source, metaRuns);

  const imagePullSecrets = readList(source, 'imagepullsecrets');
  for (const secret of imagePullSecrets) {
    if (!DNS_SUBDOMAIN.test(secret)) {
      throw new InputError('imagepullsecrets', `"${secret}" is not a valid Secret name`);
    }
  }

  const strategy = readStrategy(source);
  const actionInput = readAliased(source, 'deploy-action');
  const action = readChoice(sourceOf(actionInput), actionInput.name, DEPLOY_ACTIONS, 'deploy');
  if (strategy === 'rolling' && action !== 'deploy') {
    throw new InputError(
      actionInput.name,
      `"${action}" needs strategy: canary (there is no canary to ${action} with strategy: ${source.get('strategy') || 'rolling'})`,
    );
  }
  const splitInput = readAliased(source, 'traffic-split');
  const trafficSplit = readChoice(sourceOf(splitInput), splitInput.name, TRAFFIC_SPLITS, 'pod');
  const canaryPercentage = readInteger(readAliased(source, 'canary-percentage'), 1, 99) ?? 20;
  const canaryReplicas = readInteger(readAliased(source, 'canary-replicas'), 1, 10000);
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
  const blueGreen = readBlueGreen(source, strategy);
  const trafficSplitAnnotations = readTrafficSplitAnnotations(source);
  const smi = strategy === 'blue-green' ? blueGreen.routeMethod === 'smi' : trafficSplit === 'smi';
  if (Object.keys(trafficSplitAnnotations).length > 0 && !smi) {
    throw new InputError(
      'traffic-split-annotations',
      strategy === 'blue-green'
        ? `annotations go on the SMI TrafficSplit, and route-method is ${blueGreen.routeMethod}; set route-method: smi or remove them`
        : `annotations go on the SMI TrafficSplit, and traffic-split is ${trafficSplit}; set traffic-split: smi or remove them`,
    );
  }

  // k8s-deploy's `timeout` (bare numbers are minutes there) when rollout-timeout is not set.
  const timeoutInput = readAliased(source, 'rollout-timeout');
  const timeoutText = timeoutInput.value || '5m';
  const rolloutTimeoutSeconds = parseDuration(
    timeoutText.toLowerCase(),
    timeoutInput.name === 'timeout' ? 'm' : 's',
  );
  if (rolloutTimeoutSeconds === undefined || rolloutTimeoutSeconds <= 0) {
    throw new InputError(
      timeoutInput.name,
      `"${timeoutText}" is not a duration like 90s, 5m or 1h`,
    );
  }

  if (readBoolean(source, 'pull-images', false)) {
    throw new InputError(
      'pull-images',
      'Gantry does not pull images on the runner (k8s-deploy did, to find their Dockerfile for ' +
        'its annotation); the gantry.dev/ annotations record the repository, commit and run ' +
        'instead: remove pull-images or set it to false',
    );
  }

  const progressive = readProgressive(source, {
    strategy,
    action,
    trafficSplit,
    baseline: canaryBaseline,
    percentageGiven: readAliased(source, 'canary-percentage'),
  });

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
    ...blueGreen,
    canaryReplicas,
    canaryBaseline,
    progressive,
    rolloutTimeoutSeconds,
    rollbackOnFailure: readBoolean(source, 'rollback-on-failure', true),
    serverSide: readBoolean(source, 'server-side', false),
    force: readBoolean(source, 'force', false),
    annotateResources: readBoolean(source, 'annotate-resources', true),
    annotateNamespace: readBoolean(source, 'annotate-namespace', false),
    skipTlsVerify: readBoolean(source, 'skip-tls-verify', false),
    trafficSplitAnnotations,
    allowClusterScoped: readBoolean(source, 'allow-cluster-scoped', false),
    leaseWaitSeconds,
    environment: source.get('environment'),
    kubeconfig:
      source.get('kubeconfig', { trim: false }).trim() === ''
        ? ''
        : source.get('kubeconfig', { trim: false }),
    githubToken: readAliased(source, 'github-token').value,
  };
}
