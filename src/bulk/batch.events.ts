import type IORedis from 'ioredis';
import { createRedis } from '../jobs/redis.connection';
import type { BatchProgressSnapshot } from './batch.progress';

export interface BatchEvents {
  /** To every process that listens, this one included (through Redis). */
  publish(snapshot: BatchProgressSnapshot): Promise<void>;
  /** Local listener; returns the unsubscribe function. */
  subscribe(listener: (snapshot: BatchProgressSnapshot) => void): () => void;
  /** Resolves once this process receives what is published from now on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisBatchEventsOptions {
  readonly redisUrl: string;
  /** Pub/sub channel; default "ccm:batch-progress" (the gateway uses `<prefix>:batch-progress`). */
  readonly channel?: string;
  readonly onError?: (error: unknown) => void;
}

/**
 * Batch progress over Redis pub/sub, the way delivery status events travel:
 * one publisher connection, one subscriber connection opened with the first
 * listener, a local fan-out. Pub/sub keeps nothing; `batch(id)` is the record.
 */
export function createRedisBatchEvents(options: RedisBatchEventsOptions): BatchEvents {
  const channel = options.channel ?? 'ccm:batch-progress';
  const onError = options.onError ?? (() => undefined);
  const listeners = new Set<(snapshot: BatchProgressSnapshot) => void>();
  const publisher = createRedis(options.redisUrl, 'client', 'ccm-batch-publisher');
  publisher.on('error', onError);
  let subscriber: IORedis | null = null;
  let subscribed: Promise<void> = Promise.resolve();
  let closed = false;

  const deliver = (from: string, message: string): void => {
    if (from !== channel) return;
    let snapshot: BatchProgressSnapshot;
    try {
      snapshot = JSON.parse(message) as BatchProgressSnapshot;
    } catch (error) {
      onError(error);
      return;
    }
    for (const listener of [...listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        onError(error);
      }
    }
  };

  return {
    async publish(snapshot) {
      if (closed) throw new Error('batch events: expected an open publisher, got a closed one');
      await publisher.publish(channel, JSON.stringify(snapshot));
    },
    subscribe(listener) {
      if (closed) throw new Error('batch events: expected an open subscriber, got a closed one');
      listeners.add(listener);
      if (!subscriber) {
        const connection = createRedis(options.redisUrl, 'subscriber', 'ccm-batch-subscriber');
        connection.on('error', onError);
        connection.on('message', deliver);
        subscribed = connection.subscribe(channel).then(() => undefined);
        subscribed.catch(onError);
        subscriber = connection;
      }
      return () => {
        listeners.delete(listener);
      };
    },
    ready: () => subscribed,
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber?.quit().catch(() => subscriber?.disconnect())]);
    },
  };
}
