// A webhook: any other system judges the step. Gantry POSTs what it is rolling out and where;
// a 2xx answer passes, anything else (another status, no answer in time) fails.
import type { AnalysisProvider, MeasureRequest, Reading, RolloutFacts } from './model';
import { bodyExcerpt, exchange } from './request';

/** The JSON the webhook receives. Field names are part of the interface: add, never rename. */
export function webhookBody(check: string, facts: RolloutFacts) {
  return {
    check,
    rollout: facts.rollout,
    namespace: facts.namespace,
    step: facts.step,
    weight: facts.weight,
    selectors: {
      canary: facts.selectors.canary,
      stable: facts.selectors.stable,
      baseline: facts.selectors.baseline,
    },
  };
}

export const webhookProvider: AnalysisProvider = {
  name: 'webhook',
  async measure(request: MeasureRequest, fetch): Promise<Reading> {
    const answer = await exchange(
      fetch,
      request.url,
      {
        method: 'POST',
        body: JSON.stringify(webhookBody(request.check, request.facts)),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
      },
      request.timeoutSeconds,
    );
    if ('error' in answer)
      return { kind: 'failed', reason: `webhook did not answer: ${answer.error}` };
    const excerpt = bodyExcerpt(answer.body);
    if (answer.status >= 200 && answer.status <= 299)
      return { kind: 'passed', detail: `HTTP ${answer.status}${excerpt ? `: ${excerpt}` : ''}` };
    return {
      kind: 'failed',
      reason: `webhook answered HTTP ${answer.status}${excerpt ? `: ${excerpt}` : ''}`,
    };
  },
};
