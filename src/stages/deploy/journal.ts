// What this run changed in the cluster, saved with the runner's step state as it happens, so
// the post step (backstop.ts) can undo it if the main step was killed before it could.
import * as core from '@actions/core';
import { createHash } from 'crypto';
import { canonicalJson } from '../../lib/canonical-json';
import type { KubeObject } from './model';
import { JOURNAL_STATE } from './journal-state';
import { imagesOf, podTemplateOf } from './workloads';

/** A workload this run changed, and how to put it back. */
export interface UndoRecord {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  /** The revision it had before (Deployments); empty: `rollout undo` to the previous one. */
  revision: string;
  /** The images this run applied, and the applied pod template's fingerprint once known. */
  images: string[];
  fingerprint: string;
}

export interface DeployJournal {
  /** `applying` from just before the apply, `done` once the main step reported. */
  phase: 'applying' | 'done';
  namespace: string;
  undo: UndoRecord[];
  /** Canary objects to take away (and routing to put back) if the run does not finish. */
  canary?: { remove: KubeObject[]; restore: KubeObject[] };
  leases: { name: string; namespace: string; holder: string }[];
  deploymentId?: number;
  environmentUrl?: string;
}

/** Identifies a pod template as the server stores it: same fingerprint, same pods. */
export function templateFingerprint(object: KubeObject): string {
  return createHash('sha256')
    .update(canonicalJson(podTemplateOf(object) ?? {}))
    .digest('hex')
    .slice(0, 16);
}

/** Whether a workload as read now still runs the template this run applied. */
export function isStillOurs(
  record: Pick<UndoRecord, 'images' | 'fingerprint'>,
  current: KubeObject,
): boolean {
  if (record.fingerprint) return templateFingerprint(current) === record.fingerprint;
  return imagesOf(current).join(',') === record.images.join(',');
}

export class Journal {
  private state: DeployJournal;

  constructor(
    namespace: string,
    private readonly save: (json: string) => void = saveToStepState,
  ) {
    this.state = { phase: 'applying', namespace, undo: [], leases: [] };
  }

  get current(): DeployJournal {
    return this.state;
  }

  record(change: Partial<DeployJournal>): void {
    this.state = { ...this.state, ...change };
    this.save(JSON.stringify(this.state));
  }

  finish(): void {
    this.record({ phase: 'done' });
  }
}

/** The runner keeps step state for the post step; outside a runner there is none to keep. */
function saveToStepState(json: string): void {
  if (process.env.GITHUB_STATE) core.saveState(JOURNAL_STATE, json);
}
