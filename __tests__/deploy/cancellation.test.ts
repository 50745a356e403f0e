import { Cancellation, GRACE_MS } from '../../src/lib/cancellation';

describe('Cancellation', () => {
  it('leaves a signal to the process when no stage handles it', () => {
    const cancellation = new Cancellation();
    expect(cancellation.receive('SIGINT')).toBe(false);
    expect(cancellation.stop.aborted).toBe(false);
  });

  it('stops on the first signal and hurries on the second, while a stage handles them', async () => {
    const cancellation = new Cancellation();
    await cancellation.handle(async () => {
      expect(cancellation.remainingMs()).toBe(Infinity);
      expect(cancellation.receive('SIGINT')).toBe(true);
      expect(cancellation.stop.aborted).toBe(true);
      expect(cancellation.hurry.aborted).toBe(false);
      expect(cancellation.signal).toBe('SIGINT');
      expect(cancellation.remainingMs()).toBeLessThanOrEqual(GRACE_MS);
      expect(cancellation.receive('SIGTERM')).toBe(true);
      expect(cancellation.hurry.aborted).toBe(true);
      expect(cancellation.signal).toBe('SIGINT');
    });
    expect(cancellation.receive('SIGTERM')).toBe(false);
  });
});
