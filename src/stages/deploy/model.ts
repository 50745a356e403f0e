// What the deploy stage reports, and the typed inputs and Kubernetes objects it works with.
import type { Kubectl } from './kubectl';
import type { LiveObjects } from './live';
import type { LoadedManifests } from './manifests';
import type { ProgressiveSettings } from './progressive/settings';
import type { ProgressiveReport } from './progressive/summary';
export interface DeployedResource {
  kind: string;
  name: string;
  namespace: string;
  image: string;
}

export type RolloutOutcome =
  | 'succeeded'
  | 'rolled-back'
  | 'canary-ready'
  /** Blue-green: the Services select green; blue runs until promote or reject. */
  | 'switched'
  | 'promoted'
  | 'rejected'
  /** The rollout failed and nothing could be rolled back (first deploy, or rollback disabled). */
  | 'failed'
  /** The job was cancelled during the rollout; this run's changes were undone. */
  | 'cancelled'
  /** The API server could not be reached when the rollout timeout ended: nothing was undone. */
  | 'unverified';

export interface DeployResult {
  deployed: DeployedResource[];
  rollout: RolloutOutcome;
  /** Set when the rollout failed: what went wrong, with diagnostics. Fails the job. */
  failure?: string;
  /** Workloads and their readiness, for the job summary. */
  workloads: WorkloadStatus[];
  /** Facts worth a line in the summary ("no stable version yet: deployed as stable"). */
  notes: string[];
  durationSeconds: number;
  /** A progressive canary's steps and analyses, for the summary. */
  progressive?: ProgressiveReport;
  /** How many times kubectl ran (the benchmark reports it). */
  kubectlCalls: number;
  /** Requests sent to the API server directly, without kubectl. */
  apiRequests: number;
  /** Wall time spent waiting for rollouts (kubectl rollout status / wait). */
  rolloutWaitSeconds: number;
}

export interface WorkloadStatus {
  kind: string;
  name: string;
  namespace: string;
  track: 'stable' | 'canary' | 'baseline';
  images: string[];
  replicas: number | undefined;
  ready: boolean;
}

export const STRATEGIES = ['rolling', 'canary', 'blue-green'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const DEPLOY_ACTIONS = ['deploy', 'promote', 'reject'] as const;
export type DeployAction = (typeof DEPLOY_ACTIONS)[number];
export const TRAFFIC_SPLITS = ['pod', 'ingress-nginx', 'gateway-api', 'smi'] as const;
export type TrafficSplit = (typeof TRAFFIC_SPLITS)[number];
/** How blue-green moves traffic to green (k8s-deploy's `route-method`, plus gateway-api). */
export const ROUTE_METHODS = ['service', 'ingress', 'gateway-api', 'smi'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

export interface DeployInputs {
  manifests: string[];
  /** The manifests read and parsed by `prepare`, before any stage runs. */
  loaded?: LoadedManifests;
  /**
   * The server's dry run of the objects to apply, started ahead beside the stages still
   * running; `objects` is the batch (JSON) it answers for. `placeholder` is set while it was
   * computed with a stand-in digest (deploy/placeholder.ts), `confirm` to the real digest once
   * it is written in: the objects that carry it are then checked by the server (dryRun=All),
   * as soon as the digest is known, and `stored` settles with that check. `bases` is the read
   * of the objects right after the stand-in dry run (Kubectl.readBases).
   */
  dryRunAhead?: {
    objects: string;
    stored: Promise<KubeObject[]>;
    placeholder?: string;
    confirm?: string;
    bases?: Promise<void>;
  };
  /**
   * The deploy's first read of the cluster (its workloads, their canary, baseline and green,
   * their leases), started once the image is pushed; `names` is what it read (JSON). Taking a
   * lease at the resourceVersion read here proves that no other run took or gave it back since.
   */
  liveAhead?: { names: string; live: Promise<LiveObjects> };
  /**
   * The deploy's connection to the cluster when it was made ahead (deploy/index.ts), so the
   * dry run started ahead and the deploy share it: one count of kubectl processes and requests.
   */
  kube?: Kubectl;
  /** Empty: the kubeconfig context's namespace (or the one in each manifest). */
  namespace: string;
  /** Images to pin; empty: the build stage's digest-pinned image, when build ran. */
  images: string[];
  imagePullSecrets: string[];
  strategy: Strategy;
  action: DeployAction;
  trafficSplit: TrafficSplit;
  canaryPercentage: number;
  /** Blue-green: how the switch moves traffic to green. */
  routeMethod: RouteMethod;
  /** Blue-green: minutes between green ready and the switch (k8s-deploy's unit). */
  versionSwitchBufferMinutes: number;
  /**
   * canary-steps and analysis: the canary moves through weighted, judged steps. With
   * blue-green and analysis: two steps, green judged at 0 % (before the switch) and at 100 %.
   */
  progressive?: ProgressiveSettings;
  canaryReplicas: number | undefined;
  canaryBaseline: boolean;
  rolloutTimeoutSeconds: number;
  rollbackOnFailure: boolean;
  serverSide: boolean;
  force: boolean;
  annotateResources: boolean;
  /** Also annotate the `namespace` input's Namespace (k8s-deploy's annotate-namespace). */
  annotateNamespace: boolean;
  /** kubectl --insecure-skip-tls-verify (k8s-deploy's skip-tls-verify). */
  skipTlsVerify: boolean;
  /** Extra annotations on the SMI TrafficSplits a canary makes. */
  trafficSplitAnnotations: Record<string, string>;
  /** Apply cluster-scoped objects (Namespace, ClusterRole, ...) too; refused otherwise. */
  allowClusterScoped: boolean;
  /** How long to wait while another run holds a workload's lease (0: fail at once). */
  leaseWaitSeconds: number;
  environment: string;
  /** Kubeconfig content from the `kubeconfig` input; empty: KUBECONFIG / ~/.kube/config. */
  kubeconfig: string;
  githubToken: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes objects are open-ended JSON */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: any;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  [field: string]: any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** A manifest document and where it came from, for error messages. */
export interface Manifest {
  object: KubeObject;
  file: string;
  line: number;
}
