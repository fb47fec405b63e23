import type { StatusChange, StatusFeed } from '../services/status.feed';
import { createRedisChannel } from './redis.channel';

/** The status feed over Redis: `publish` reaches every process that subscribed (this one included); `subscribe` is local and returns the unsubscribe function. */
export interface StatusEvents extends StatusFeed {
  /** Resolves once this process receives what is published from now on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisStatusEventsOptions {
  readonly redisUrl: string;
  /** Pub/sub channel; default "ccm:delivery-status". */
  readonly channel?: string;
  /** Called with a listener's error or an unreadable message; default: ignored. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Status events over Redis pub/sub: one publisher connection, one subscriber
 * connection opened with the first listener, and a local fan-out, so any number
 * of API and worker processes see every change. Pub/sub keeps nothing: a
 * process that was away misses events, and the timeline in the database stays
 * the record.
 */
export function createRedisStatusEvents(options: RedisStatusEventsOptions): StatusEvents {
  return createRedisChannel<StatusChange>({ redisUrl: options.redisUrl, channel: options.channel ?? 'ccm:delivery-status', name: 'ccm-status', onError: options.onError });
}
