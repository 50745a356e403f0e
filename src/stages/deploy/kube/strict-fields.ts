// kubectl's --validate=strict for a batch, asked of the API server directly: each object sent as
// a dry-run create with fieldValidation=Strict. The server decodes a request's body, strictly,
// before anything else (admission, whether the object exists), so a field the schema lacks is
// reported for an object that exists as well as for a new one; whatever comes after decoding
// (it exists, it is invalid, a quota) is the batch's kubectl dry run's to judge. kubectl itself
// gets there by fetching and parsing the OpenAPI documents of the batch's kinds (about 0.12 s
// of CPU per dry run, beside the build); these requests cost the server one decode each.
import { errorMessage } from '../../../lib/errors';
import type { KubeObject } from '../model';
import type { ApiRefusal, KubeApi } from './api';
import { CLIENT_SIDE_APPLY_MANAGER } from './computed-apply';
import { servedByApiServer } from './resources';

export type StrictVerdict =
  | { verdict: 'passed' }
  | { verdict: 'refused'; message: string }
  /** The server's answers do not tell: kubectl validates the batch itself. */
  | { verdict: 'unsure'; reason: string };

/** Field validation (fieldValidation=Strict) is on in every server from this minor version (GA). */
export const STRICT_FIELDS_SINCE_MINOR = 27;

/** Whether every object's kind is one the API server validates itself. */
export function strictlyCheckable(objects: KubeObject[]): boolean {
  return objects.length > 0 && objects.every(servedByApiServer);
}

/** The reasons of answers given only once the body was decoded, strict fields and all. */
const DECODED = new Set(['AlreadyExists', 'Invalid']);

/** What one dry-run create's answer says of the object's fields. */
export function fieldVerdict(answer: { stored?: KubeObject; refused?: ApiRefusal }): StrictVerdict {
  const refused = answer.refused;
  if (!refused || DECODED.has(refused.reason)) return { verdict: 'passed' };
  if (refused.reason === 'BadRequest' && /strict decoding error/.test(refused.message))
    return { verdict: 'refused', message: refused.message };
  return { verdict: 'unsure', reason: refused.message };
}

/**
 * The batch's fields checked strictly, side by side (nothing is stored). The first refusal in
 * the batch's order wins; any answer that does not tell, a server too old to be sure of, or a
 * request that fails, makes the verdict unsure.
 */
export async function checkFieldsStrictly(
  api: Pick<KubeApi, 'write' | 'serverMinor'>,
  objects: KubeObject[],
  send: <T>(what: string, request: () => Promise<T>) => Promise<T>,
): Promise<StrictVerdict> {
  const minor = await api.serverMinor().catch(() => undefined);
  if (minor === undefined || minor < STRICT_FIELDS_SINCE_MINOR)
    return {
      verdict: 'unsure',
      reason: `the API server's version (1.${minor ?? '?'}) may not validate fields itself`,
    };
  const query = {
    fieldManager: CLIENT_SIDE_APPLY_MANAGER,
    fieldValidation: 'Strict',
    dryRun: 'All',
  };
  const verdicts = await Promise.all(
    objects.map(async (object): Promise<StrictVerdict> => {
      const ref = `${object.kind}/${object.metadata.name}`;
      try {
        const verdict = fieldVerdict(
          await send(`create ${ref} (strict fields, dry run)`, () =>
            api.write('create', object, query),
          ),
        );
        if (verdict.verdict === 'passed') return verdict;
        return verdict.verdict === 'refused'
          ? { verdict: 'refused', message: `${ref}: ${verdict.message}` }
          : { verdict: 'unsure', reason: `${ref}: ${verdict.reason}` };
      } catch (err) {
        return { verdict: 'unsure', reason: `${ref}: ${errorMessage(err)}` };
      }
    }),
  );
  return (
    verdicts.find((v) => v.verdict === 'refused') ??
    verdicts.find((v) => v.verdict === 'unsure') ?? { verdict: 'passed' }
  );
}
