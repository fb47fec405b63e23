import type { Channel, CommunicationStatus, DeliveryStatus } from '../domain';
import type { CommunicationEntity } from '../store/communication.entity';
import type { DeliveryEntity } from '../store/delivery.entity';

/**
 * One status change of one delivery, wherever it happened (worker, webhook,
 * API): the one shape the status feed carries to every process, the
 * subscriptions and the metrics.
 */
export interface StatusChange {
  readonly deliveryId: string;
  readonly communicationId: string;
  readonly customerId: string;
  readonly channel: Channel;
  readonly status: DeliveryStatus;
  readonly communicationStatus: CommunicationStatus;
  /** The timeline text of the step, if any. */
  readonly detail: string | null;
  /** ISO-8601 with milliseconds: the time written to the timeline. */
  readonly at: string;
}

/** The change for a delivery as a step left it (a transition's outcome, or a freshly written row); `detail` is the timeline text of that step. */
export function statusChangeOf(
  result: { readonly delivery: Pick<DeliveryEntity, 'id' | 'communicationId' | 'customerId' | 'channel' | 'status' | 'updatedAt'>; readonly communication: Pick<CommunicationEntity, 'status'> },
  detail: string | null = null,
): StatusChange {
  const { delivery, communication } = result;
  return {
    deliveryId: delivery.id,
    communicationId: delivery.communicationId,
    customerId: delivery.customerId,
    channel: delivery.channel,
    status: delivery.status,
    communicationStatus: communication.status,
    detail,
    at: delivery.updatedAt.toISOString(),
  };
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
export function changesOf<T = StatusChange>(
  feed: { subscribe(listener: (change: T) => void): () => void },
  accept: (change: T) => boolean,
  bufferLimit = 1000,
): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  let wake: ((result: IteratorResult<T>) => void) | null = null;
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
  const finish = (): Promise<IteratorResult<T>> => {
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
      if (buffer.length) return Promise.resolve({ value: buffer.shift() as T, done: false });
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
