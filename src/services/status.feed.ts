import type { Channel, CommunicationStatus, DeliveryStatus } from '../domain';

/** A delivery changed status somewhere (worker, webhook, API); fanned out to every API process. */
export interface StatusChange {
  readonly deliveryId: string;
  readonly communicationId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly status: DeliveryStatus;
  readonly communicationStatus: CommunicationStatus;
  readonly detail: string | null;
  readonly at: string;
}

/** The subscription side of the status events: publish anywhere, listen in this process. */
export interface StatusFeed {
  publish(change: StatusChange): Promise<void>;
  subscribe(listener: (change: StatusChange) => void): () => void;
}

/**
 * Turns listener callbacks into an async iterator for a GraphQL subscription,
 * with a bounded buffer: a client that does not read cannot grow memory without
 * limit; the oldest changes are dropped first (the timeline keeps them all).
 */
export function changesOf(feed: StatusFeed, accept: (change: StatusChange) => boolean, bufferLimit = 1000): AsyncIterableIterator<StatusChange> {
  const buffer: StatusChange[] = [];
  let wake: ((result: IteratorResult<StatusChange>) => void) | null = null;
  let done = false;
  const unsubscribe = feed.subscribe((change) => {
    if (done || !accept(change)) return;
    if (wake) {
      const resolve = wake;
      wake = null;
      resolve({ value: change, done: false });
      return;
    }
    buffer.push(change);
    if (buffer.length > bufferLimit) buffer.shift();
  });
  const finish = (): Promise<IteratorResult<StatusChange>> => {
    if (!done) {
      done = true;
      unsubscribe();
      buffer.length = 0;
      if (wake) wake({ value: undefined, done: true });
      wake = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next: () => {
      if (buffer.length) return Promise.resolve({ value: buffer.shift() as StatusChange, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (wake = resolve));
    },
    return: finish,
    throw: (error?: unknown) => finish().then(() => Promise.reject(error)),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
