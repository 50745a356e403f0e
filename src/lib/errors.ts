// Errors a user can act on: each names the input (or file) at fault and what would be right.

/** A bad input value. Thrown while parsing inputs, before any stage touches the world. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`Input "${input}": ${detail}`);
    this.name = 'InputError';
  }
}

/** A stage finished its work but its verdict fails the job (scan gate, failed rollout). */
export class GateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
