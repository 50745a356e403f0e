// The post step's half of cancellation: when the main step was killed before it could undo
// its deploy (the runner's kill comes 10 s after its first signal), put back what the journal
// says this run changed — only where the cluster still runs what this run applied.
import * as core from '@actions/core';
import type { Context } from '../../context';
import type { InputSource } from '../../inputs';
import { errorMessage } from '../../lib/errors';
import { GitHubDeployment } from './github-deployment';
import { isStillOurs, type DeployJournal } from './journal';
import { Kubectl } from './kubectl';
import { releasedLease } from './lease';
import type { KubeObject } from './model';
import { objectRef } from './workloads';

function recordObject(record: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}): KubeObject {
  return {
    apiVersion: record.apiVersion,
    kind: record.kind,
    metadata: { name: record.name, ...(record.namespace ? { namespace: record.namespace } : {}) },
  };
}

/** Undoes the deploy of an unfinished journal; returns what it did, one line per fact. */
export async function runBackstop(
  journal: DeployJournal,
  source: InputSource,
  ctx: Context,
): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => {
    core.info(line);
    lines.push(line);
  };
  core.warning('The deploy step did not finish (it was killed): undoing what it changed');
  const raw = source.get('kubeconfig', { trim: false });
  const kube = new Kubectl(journal.namespace, raw.trim() === '' ? '' : raw);
  try {
    if (journal.undo.length > 0) {
      const current = await kube.read(journal.undo.map(recordObject));
      for (const record of journal.undo) {
        const ref = `${record.kind.toLowerCase()}/${record.name}`;
        const now = current.find((o) => o.kind === record.kind && o.metadata.name === record.name);
        if (!now) {
          say(`${ref}: gone; nothing to roll back`);
        } else if (!isStillOurs(record, now)) {
          say(
            `${ref}: no longer runs this run's version (rolled back already, or deployed again since); left as it is`,
          );
        } else {
          try {
            await kube.undo(now, record.revision || undefined);
            say(`${ref}: rolled back${record.revision ? ` to revision ${record.revision}` : ''}`);
          } catch (err) {
            say(`${ref}: could not roll back: ${errorMessage(err)}`);
          }
        }
      }
    }
    if (journal.canary) {
      try {
        await kube.apply(journal.canary.restore, { serverSide: false, force: false });
        await kube.delete(journal.canary.remove);
        say(
          `removed the canary (${journal.canary.remove.map(objectRef).join(', ')}); traffic goes to stable`,
        );
      } catch (err) {
        say(`could not remove the canary: ${errorMessage(err)}`);
      }
    }
    if (journal.leases.length > 0) {
      const leases = await kube
        .read(
          journal.leases.map((l) =>
            recordObject({ ...l, apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' }),
          ),
        )
        .catch(() => []);
      const ours = leases.filter((lease) =>
        journal.leases.some(
          (l) => l.name === lease.metadata.name && l.holder === lease.spec?.holderIdentity,
        ),
      );
      if (ours.length > 0)
        await kube.createOrReplace('replace', ours.map(releasedLease)).catch(() => undefined);
    }
  } finally {
    kube.dispose();
  }
  if (journal.deploymentId) {
    await GitHubDeployment.resume(
      source.get('github-token'),
      ctx,
      journal.deploymentId,
      journal.environmentUrl,
    )?.setStatus('failure', `Cancelled; the post step undid the deploy`);
  }
  return lines;
}
