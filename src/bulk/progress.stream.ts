import type { BatchEvents } from './batch.events';
import type { BatchProgressSnapshot } from '../store/batch-progress.queries';

/**
 * The progress of one batch as an async iterator for a subscription: the
 * snapshot of now first, then every published one, ending after a final one
 * (done). A bounded buffer keeps only the newest snapshots for a slow reader:
 * each snapshot holds every count, so skipping one loses nothing.
 */
export function progressStream(events: BatchEvents, batchId: string, first: () => Promise<BatchProgressSnapshot>, bufferLimit = 20): AsyncIterableIterator<BatchProgressSnapshot> {
  const buffer: BatchProgressSnapshot[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let ended = false;
  const push = (snapshot: BatchProgressSnapshot): void => {
    if (ended || finished) return;
    buffer.push(snapshot);
    if (buffer.length > bufferLimit) buffer.shift();
    if (snapshot.done) finished = true;
    wake?.();
  };
  const unsubscribe = events.subscribe((snapshot) => {
    if (snapshot.batchId === batchId) push(snapshot);
  });
  // Read after subscribing: a change between the two is in the buffer, never lost.
  let initial: Promise<void> | null = first().then((snapshot) => {
    // Events that arrived while the first snapshot was read are newer: it goes before them.
    if (!ended && !finished) buffer.unshift(snapshot);
    if (snapshot.done) finished = true;
  });
  const end = (): Promise<IteratorResult<BatchProgressSnapshot>> => {
    ended = true;
    unsubscribe();
    buffer.length = 0;
    wake?.();
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    async next() {
      if (initial) {
        const pending = initial;
        initial = null;
        try {
          await pending;
        } catch (error) {
          await end();
          throw error;
        }
      }
      while (!ended) {
        const snapshot = buffer.shift();
        if (snapshot) return { value: snapshot, done: false };
        if (finished) return end();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      return { value: undefined, done: true };
    },
    return: end,
    throw: (error?: unknown) => end().then(() => Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
