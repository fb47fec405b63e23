import { createRedisChannel } from '../jobs/redis.channel';
import type { BatchProgressSnapshot } from '../store/batch-progress.queries';

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
  return createRedisChannel<BatchProgressSnapshot>({ redisUrl: options.redisUrl, channel: options.channel ?? 'ccm:batch-progress', name: 'ccm-batch', onError: options.onError });
}
