// The peer table: for every input of the four actions Gantry replaces, how Gantry treats it.
// The README's "Moving over" section and the unknown-input check (./unknown-inputs.ts) are
// generated from it, and the compiler insists on exactly one row per peer input.
import type { DeclaredInput } from './declared-inputs';
import { PEERS, type PeerInput, type PeerName } from './peer-inputs';

/** Honoured under the peer's name, with the peer's meaning and syntax. */
export interface SameRow {
  kind: 'same';
  note?: string;
}

/** Honoured under the peer's name as another name for one of Gantry's own inputs. */
export interface AliasRow {
  kind: 'alias';
  of: DeclaredInput;
  note?: string;
}

/** Honoured; the name means different things to different peers: CLASHES says how it resolves. */
export interface SharedRow {
  kind: 'shared';
  /** What this peer's meaning becomes in Gantry. */
  note: string;
}

/** Not accepted: using it fails before anything runs, with `why` and what to use instead. */
export interface RefusedRow {
  kind: 'refused';
  why: string;
  instead: string;
  /** The Gantry inputs `instead` names (checked against action.yml by the compiler). */
  use: readonly [DeclaredInput, ...DeclaredInput[]];
  /**
   * Values that change nothing here, as they change nothing there (the peer's defaults, in
   * lower case): accepted. A stage may then declare the input and refuse the other values.
   */
  noop?: readonly string[];
}

export type PeerRow = SameRow | AliasRow | SharedRow | RefusedRow;
export type RowKind = PeerRow['kind'];

type Inputs<P extends PeerName> = PeerInput<P>;
type Meta = Inputs<'docker/metadata-action'>;
type Build = Inputs<'docker/build-push-action'>;
type Trivy = Inputs<'aquasecurity/trivy-action'>;
type K8s = Inputs<'Azure/k8s-deploy'>;

/**
 * Names that two peers use (computed from the fixture), plus `cache`, which trivy-action uses
 * for something else than Gantry's own `cache` input. Each needs a clash rule.
 */
export type SharedName =
  Extract<Meta, Build | Trivy | K8s> | Extract<Build, Trivy | K8s> | Extract<Trivy, K8s> | 'cache';

/** A row for every input of every peer; a shared name must be `shared` (or refused). */
export type PeerTable = {
  [P in PeerName]: {
    [I in PeerInput<P>]: I extends SharedName ? SharedRow | RefusedRow : PeerRow;
  };
};

export interface ClashRule {
  /** How one value is read when several peers (or Gantry) mean different things by the name. */
  rule: string;
  /** The Gantry inputs the rule hands the value to, for "what to use instead" messages. */
  feeds: readonly DeclaredInput[];
}

export const CLASHES: Record<SharedName, ClashRule> = {
  context: {
    rule: "A value of `workflow` or `git` is metadata-action's: where the ref and commit come from (Gantry's `ref-source`). Any other value is build-push-action's build context; write `./git` to build a directory named `git`.",
    feeds: ['ref-source', 'context'],
  },
  images: {
    rule: "When the meta stage runs, metadata-action's image names to tag. When it does not (`stages: deploy`, or a pasted k8s-deploy step), k8s-deploy's images to pin in the manifests (Gantry's `deploy-images`).",
    feeds: ['images', 'deploy-images'],
  },
  tags: {
    rule: "When the meta stage runs, metadata-action's tag rules (`type=...`). When it does not, build-push-action's full image references to push (`registry/app:1.2.3`).",
    feeds: ['tags'],
  },
  labels: {
    rule: "metadata-action's extra labels, merged over the generated OCI labels, are the labels the build stage applies (build-push-action's `labels`). Without meta, build applies them as given.",
    feeds: ['labels'],
  },
  annotations: {
    rule: "As `labels`: metadata-action's extra annotations are what the build stage applies (build-push-action's `annotations`), each once.",
    feeds: ['annotations'],
  },
  'github-token': {
    rule: "One token for every GitHub API call (repository details for labels, PR comments, deployments) and for build-push-action's Git-context authentication.",
    feeds: ['github-token'],
  },
  cache: {
    rule: "`true` or `false` is trivy-action's vulnerability-DB cache (scan). Any other value (`auto`, `gha`, `registry`, `local`, `inline`, `none`) is Gantry's build cache plan.",
    feeds: ['cache'],
  },
  timeout: {
    rule: "For the scan stage, trivy-action's Trivy `--timeout`; for the deploy stage, k8s-deploy's rollout timeout (its units, e.g. `10m`; Gantry's `rollout-timeout` wins when both are given).",
    feeds: ['rollout-timeout'],
  },
};

const NEWLINE_WHEN_EMPTY =
  'Same syntax and meaning; metadata-action also joins with a newline when empty.';

const AKS_INSTEAD =
  'give Gantry a kubeconfig that reaches the API server (`kubeconfig`, or azure/aks-set-context before Gantry) and, for a private cluster, run the job on a self-hosted runner inside its network';

export const PEER_TABLE: PeerTable = {
  'docker/metadata-action': {
    context: {
      kind: 'shared',
      note: 'Exactly `workflow` or `git`: the ref source (also `ref-source`; a disagreement fails).',
    },
    images: {
      kind: 'shared',
      note: 'Image names to tag, with `name=`/`enable=`; one with a tag or digest fails while meta runs.',
    },
    tags: { kind: 'shared', note: 'Tag rules, same DSL.' },
    flavor: { kind: 'same' },
    labels: {
      kind: 'shared',
      note: 'Extra labels over the generated ones; a line without `=` fails instead of being dropped.',
    },
    annotations: { kind: 'shared', note: 'Extra annotations over the generated ones.' },
    'sep-tags': { kind: 'same', note: NEWLINE_WHEN_EMPTY },
    'sep-labels': { kind: 'same', note: NEWLINE_WHEN_EMPTY },
    'sep-annotations': { kind: 'same', note: NEWLINE_WHEN_EMPTY },
    'bake-target': { kind: 'same', note: 'Target name of the `bake-file*` outputs.' },
    'github-token': { kind: 'shared', note: 'Token for the repository details.' },
  },
  'docker/build-push-action': {
    'add-hosts': { kind: 'same' },
    allow: { kind: 'same' },
    annotations: { kind: 'shared', note: "Annotations to apply; with meta, meta's rendered ones." },
    attests: { kind: 'same' },
    'build-args': { kind: 'same' },
    'build-contexts': { kind: 'same' },
    builder: { kind: 'same' },
    'cache-from': { kind: 'same', note: "Replaces the sources of Gantry's `cache` plan." },
    'cache-to': { kind: 'same', note: "Replaces the destination of Gantry's `cache` plan." },
    call: { kind: 'same' },
    'cgroup-parent': { kind: 'same' },
    context: { kind: 'shared', note: 'The build context (path or Git/HTTP URL).' },
    file: { kind: 'same' },
    labels: { kind: 'shared', note: "Labels to apply; with meta, meta's rendered ones." },
    load: { kind: 'same' },
    network: { kind: 'same' },
    'no-cache': { kind: 'same' },
    'no-cache-filters': { kind: 'same' },
    outputs: { kind: 'same' },
    platforms: { kind: 'same' },
    provenance: { kind: 'same' },
    pull: { kind: 'same' },
    push: { kind: 'same' },
    sbom: { kind: 'same' },
    secrets: {
      kind: 'same',
      note: 'Stricter: one `id=value` per line (a double-quoted item may span lines).',
    },
    'secret-envs': { kind: 'same' },
    'secret-files': { kind: 'same' },
    'shm-size': { kind: 'same' },
    ssh: { kind: 'same' },
    tags: { kind: 'shared', note: 'Full image references when meta does not run.' },
    target: { kind: 'same' },
    ulimit: { kind: 'same' },
    'github-token': { kind: 'shared', note: 'Git-context authentication (`GIT_AUTH_TOKEN`).' },
  },
  'aquasecurity/trivy-action': {
    'scan-type': { kind: 'same' },
    'image-ref': {
      kind: 'alias',
      of: 'scan-ref',
      note: 'The image to scan; empty scans the image just built, by digest.',
    },
    input: { kind: 'same', note: 'An image archive (tarball) to scan.' },
    'scan-ref': {
      kind: 'same',
      note: "With scan-type `image`, the image; empty: the build stage's image by digest.",
    },
    'exit-code': {
      kind: 'same',
      note: 'Non-zero fails the step when findings at `severity` remain; `fail-on` is the finer gate.',
    },
    'ignore-unfixed': { kind: 'same' },
    'vuln-type': { kind: 'same', note: "Trivy's `--pkg-types`." },
    severity: { kind: 'same' },
    format: {
      kind: 'same',
      note: 'The SARIF report (`sarif-file`), summary and PR comment are written whatever the format.',
    },
    template: { kind: 'same' },
    output: { kind: 'same' },
    'skip-dirs': { kind: 'same' },
    'skip-files': { kind: 'same' },
    'cache-dir': { kind: 'same' },
    timeout: { kind: 'shared', note: "Trivy's `--timeout`." },
    'ignore-policy': { kind: 'same' },
    'hide-progress': { kind: 'same' },
    'list-all-pkgs': { kind: 'same' },
    scanners: { kind: 'same' },
    trivyignores: { kind: 'same' },
    'github-pat': { kind: 'same', note: 'With `format: github`, uploads the dependency snapshot.' },
    'trivy-config': { kind: 'same' },
    'tf-vars': { kind: 'same' },
    'limit-severities-for-sarif': { kind: 'same' },
    'docker-host': { kind: 'same' },
    version: {
      kind: 'alias',
      of: 'trivy-version',
      note: "Gantry's `version` is the meta output, so its input is called `trivy-version`.",
    },
    cache: {
      kind: 'shared',
      note: "`true`/`false`: the DB cache (Gantry's `cache` is the build cache).",
    },
    'skip-setup-trivy': { kind: 'same', note: 'Use the `trivy` on PATH, never download one.' },
    'token-setup-trivy': {
      kind: 'same',
      note: 'Only sent to github.com, for the Trivy release download.',
    },
  },
  'Azure/k8s-deploy': {
    namespace: { kind: 'same' },
    manifests: { kind: 'same' },
    images: { kind: 'shared', note: 'Images to pin, when meta does not run.' },
    imagepullsecrets: { kind: 'same' },
    'pull-images': { kind: 'same' },
    strategy: {
      kind: 'same',
      note: "`basic` is Gantry's `rolling`; `canary` and `blue-green` as there.",
    },
    'route-method': {
      kind: 'same',
      note: "`service` and `ingress` as there (green Services `<svc>-green`); `smi` as there, with the Service itself as blue's backend (no `<svc>-stable`); plus `gateway-api`.",
    },
    'version-switch-buffer': { kind: 'same', note: 'Minutes, 0 to 300, as there.' },
    'traffic-split-method': {
      kind: 'alias',
      of: 'traffic-split',
      note: '`pod` and `smi` as there, plus `ingress-nginx` and `gateway-api`.',
    },
    'traffic-split-annotations': { kind: 'same' },
    'baseline-and-canary-replicas': {
      kind: 'alias',
      of: 'canary-replicas',
      note: "With `traffic-split-method: smi` a baseline of the same size runs too, as there (Gantry's `canary-baseline`).",
    },
    percentage: { kind: 'alias', of: 'canary-percentage' },
    action: { kind: 'alias', of: 'deploy-action', note: '`deploy`, `promote` or `reject`.' },
    force: { kind: 'same' },
    'server-side': { kind: 'same' },
    timeout: { kind: 'shared', note: 'The rollout timeout (also `rollout-timeout`).' },
    token: { kind: 'alias', of: 'github-token' },
    'annotate-resources': { kind: 'same' },
    'annotate-namespace': { kind: 'same' },
    'private-cluster': {
      kind: 'refused',
      why: "it runs kubectl through Azure's `az aks command invoke`, which Gantry does not do",
      instead: AKS_INSTEAD,
      use: ['kubeconfig'],
      noop: ['false'],
    },
    'resource-group': {
      kind: 'refused',
      why: 'it only locates an AKS private cluster for `private-cluster`, which Gantry does not do',
      instead: AKS_INSTEAD,
      use: ['kubeconfig'],
    },
    name: {
      kind: 'refused',
      why: 'it only names an AKS private cluster for `private-cluster`, which Gantry does not do',
      instead: `pass the cluster name to azure/aks-set-context as \`cluster-name\`; ${AKS_INSTEAD}`,
      use: ['kubeconfig'],
    },
    'skip-tls-verify': { kind: 'same' },
    'resource-type': {
      kind: 'refused',
      why: 'it only chooses the AKS resource type (a cluster or an Azure Kubernetes Fleet Manager fleet) for `private-cluster`, which Gantry does not do',
      instead: `for a fleet, deploy to each member cluster with that cluster's kubeconfig; ${AKS_INSTEAD}`,
      use: ['kubeconfig'],
      noop: ['microsoft.containerservice/managedclusters'],
    },
  },
};

export interface PeerRowOf {
  peer: PeerName;
  input: string;
  row: PeerRow;
}

/** Every row in peer order, then in the order of each peer's action.yml. */
export function peerRows(): PeerRowOf[] {
  return (Object.keys(PEERS) as PeerName[]).flatMap((peer) =>
    Object.keys(PEERS[peer].inputs).map((input) => ({
      peer,
      input,
      row: (PEER_TABLE[peer] as Record<string, PeerRow>)[input],
    })),
  );
}

export function clashOf(input: string): ClashRule | undefined {
  return (CLASHES as Record<string, ClashRule | undefined>)[input];
}

/** A peer's refused inputs that Gantry declares, so that the owning stage refuses them. */
export function refusedPeerInputs(peer: PeerName): { input: string; row: RefusedRow }[] {
  return peerRows()
    .filter((r) => r.peer === peer && r.row.kind === 'refused')
    .map((r) => ({ input: r.input, row: r.row as RefusedRow }));
}
