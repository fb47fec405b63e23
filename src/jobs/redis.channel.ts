import type IORedis from 'ioredis';
import { createRedis } from './redis.connection';

/** Messages of one kind (objects, never arrays: a batch travels as an array) over one Redis pub/sub channel, fanned out to local listeners. */
export interface RedisChannel<T> {
  /** To every process that listens, this one included (through Redis). */
  publish(message: T): Promise<void>;
  /** Local listener; returns the unsubscribe function. */
  subscribe(listener: (message: T) => void): () => void;
  /** Resolves once this process receives what is published from now on. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisChannelOptions {
  readonly redisUrl: string;
  readonly channel: string;
  /** Names the connections (`<name>-publisher`, `<name>-subscriber`) in CLIENT LIST and in errors. */
  readonly name: string;
  /** Called with a listener's error or an unreadable message; default: ignored. */
  readonly onError?: (error: unknown) => void;
}

/** Messages per PUBLISH at most. */
const PUBLISH_SLICE = 200;

interface Pending {
  readonly raw: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One publisher connection, and one subscriber connection opened with the first
 * listener. Pub/sub keeps nothing: a process that was away misses messages, so
 * what is published must also be recorded elsewhere (the store is the record).
 */
export function createRedisChannel<T>(options: RedisChannelOptions): RedisChannel<T> {
  const { channel, name } = options;
  const onError = options.onError ?? (() => undefined);
  const listeners = new Set<(message: T) => void>();
  const publisher = createRedis(options.redisUrl, 'client', `${name}-publisher`);
  publisher.on('error', onError);
  let subscriber: IORedis | null = null;
  let subscribed: Promise<void> = Promise.resolve();
  let closed = false;

  const deliver = (from: string, raw: string): void => {
    if (from !== channel) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      onError(error);
      return;
    }
    // A batch of one turn arrives as one array (see `flush`); messages themselves are never arrays.
    for (const message of (Array.isArray(parsed) ? parsed : [parsed]) as T[]) {
      for (const listener of [...listeners]) {
        try {
          listener(message);
        } catch (error) {
          onError(error);
        }
      }
    }
  };

  // Messages published during one turn of the event loop leave as one PUBLISH of a JSON array: one command
  // for Redis to fan out instead of one each (the pipeline's steps publish several changes per delivery, many
  // deliveries at once). Subscribers unpack it in `deliver`, in order.
  let pending: Pending[] = [];
  const flush = (): void => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    // In slices, so that a bulk run's burst never makes one message large enough to strain a subscriber's output buffer.
    for (let start = 0; start < batch.length; start += PUBLISH_SLICE) {
      const slice = batch.slice(start, start + PUBLISH_SLICE);
      const raw = slice.length === 1 ? slice[0].raw : `[${slice.map((item) => item.raw).join(',')}]`;
      publisher.publish(channel, raw).then(
        () => slice.forEach((item) => item.resolve()),
        (error: unknown) => slice.forEach((item) => item.reject(error)),
      );
    }
  };

  return {
    publish(message) {
      if (closed) return Promise.reject(new Error(`${name}: expected an open publisher, got a closed one`));
      const raw = JSON.stringify(message);
      return new Promise<void>((resolve, reject) => {
        pending.push({ raw, resolve, reject });
        if (pending.length === 1) setImmediate(flush);
      });
    },
    subscribe(listener) {
      if (closed) throw new Error(`${name}: expected an open subscriber, got a closed one`);
      listeners.add(listener);
      if (!subscriber) {
        const connection = createRedis(options.redisUrl, 'subscriber', `${name}-subscriber`);
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
      flush();
      await Promise.all([publisher.quit().catch(() => publisher.disconnect()), subscriber?.quit().catch(() => subscriber?.disconnect())]);
    },
  };
}
